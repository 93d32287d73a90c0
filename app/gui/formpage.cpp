#include "formpage.h"

#include <QAbstractButton>
#include <QFrame>
#include <QScrollArea>
#include <QShortcut>
#include <QVBoxLayout>

namespace cairn::gui {

QWidget *makeFormPage(QWidget *form, QWidget *actions, QAbstractButton *submit, QWidget *parent)
{
    auto *page = new QWidget(parent);
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    auto *scroll = new QScrollArea(page);
    scroll->setObjectName(QStringLiteral("formScroll"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(form);
    layout->addWidget(scroll, 1);
    auto *line = new QFrame(page);
    line->setFrameShape(QFrame::HLine);
    line->setFrameShadow(QFrame::Sunken);
    layout->addWidget(line);
    actions->setParent(page);
    actions->setObjectName(QStringLiteral("formActions"));
    layout->addWidget(actions);
    // Both Return keys: the main keyboard's and the keypad's Enter.
    for (const QKeySequence &keys : {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)}) {
        auto *shortcut = new QShortcut(keys, page);
        shortcut->setContext(Qt::WidgetWithChildrenShortcut);
        QObject::connect(shortcut, &QShortcut::activated, submit, [submit] {
            if (submit->isEnabled() && submit->isVisible())
                submit->click();
        });
    }
    return page;
}

} // namespace cairn::gui
