#pragma once

class QComboBox;

namespace cairn::gui {

class StudioContext;

/// Fills an editable experiment picker with the workspace's active experiments (always offering
/// "Default") and keeps what the user had typed or chosen.
void reloadExperimentCombo(QComboBox *combo, StudioContext *context);

} // namespace cairn::gui
