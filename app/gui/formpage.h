#pragma once

class QAbstractButton;
class QWidget;

namespace cairn::gui {

/// A long form in a scroll area with its action row (message, submit button) pinned below it, in
/// view whatever the form's height. Ctrl+Enter anywhere in the page clicks `submit` when enabled.
QWidget *makeFormPage(QWidget *form, QWidget *actions, QAbstractButton *submit, QWidget *parent = nullptr);

} // namespace cairn::gui
