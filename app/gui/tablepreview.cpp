#include "tablepreview.h"

#include "cairn/data/table.h"

#include <QStandardItemModel>
#include <QStringList>
#include <QTableView>

#include <algorithm>

namespace cairn::gui {

void fillTablePreview(QStandardItemModel *model, const data::Table &t, int maxRows)
{
    model->clear();
    QStringList headers;
    for (const data::Column &c : t.columns)
        headers << QStringLiteral("%1\n%2").arg(c.name, data::columnTypeName(c.type));
    const qsizetype shown = std::min<qsizetype>(t.rowCount(), maxRows);
    model->setColumnCount(int(t.columnCount()));
    model->setRowCount(int(shown));
    model->setHorizontalHeaderLabels(headers);
    for (qsizetype row = 0; row < shown; ++row)
        for (int col = 0; col < t.columnCount(); ++col) {
            const data::Column &c = t.columns.at(col);
            // 12 digits: what a person typed, without binary noise (0.916700006, not …0000001).
            const QString text = c.isMissing(row) ? QString()
                                 : c.type == data::ColumnType::Numeric ? QString::number(c.values[size_t(row)], 'g', 12)
                                                                       : c.text(row);
            auto *item = new QStandardItem(text);
            if (c.type == data::ColumnType::Numeric)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            model->setItem(int(row), col, item);
        }
}

void fitPreviewColumns(QTableView *view)
{
    view->resizeColumnsToContents();
    if (!view->model())
        return;
    for (int col = 0; col < view->model()->columnCount(); ++col)
        view->setColumnWidth(col, std::min(view->columnWidth(col), 220));
}

} // namespace cairn::gui
