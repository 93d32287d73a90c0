#pragma once

class QStandardItemModel;
class QTableView;

namespace cairn::data {
class Table;
}

namespace cairn::gui {

/// Fills `model` with the first `maxRows` rows of `table` under headers "name\ntype" (the type
/// inferred for each column), numbers right-aligned, missing values empty.
void fillTablePreview(QStandardItemModel *model, const data::Table &table, int maxRows);
/// Sizes a preview's columns to their contents, none wider than 220 px.
void fitPreviewColumns(QTableView *view);

} // namespace cairn::gui
