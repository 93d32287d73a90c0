#pragma once

#include "runcolumn.h"

#include <QDialog>

class QLineEdit;
class QListWidget;

namespace cairn::panels {

/// Picks the param, metric and tag columns of the runs table (with a search box: experiments
/// can have hundreds of keys).
class ColumnsDialog : public QDialog
{
    Q_OBJECT
public:
    ColumnsDialog(const QStringList &paramKeys, const QStringList &metricKeys, const QStringList &tagKeys,
                  const QList<RunColumn> &current, QWidget *parent = nullptr);
    QList<RunColumn> columns() const;

private:
    void filter(const QString &text);
    QLineEdit *m_search;
    QListWidget *m_list;
};

} // namespace cairn::panels
