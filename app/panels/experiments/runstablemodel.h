#pragma once

#include "runcolumn.h"

#include "cairn/store/experimentstore.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QIcon>

namespace cairn::panels {

/// One run with the values the table shows.
struct RunRow
{
    Run run;
    QHash<QString, QString> params;
    QHash<QString, QString> tags;
    QHash<QString, MetricSummary> metrics;
    int childCount = 0;
};

/// Loads the rows of the given runs, in the given order (any thread, with that thread's store).
QList<RunRow> loadRunRows(ExperimentStore &store, const QList<qint64> &ids);

/// The runs table: the runs a RunQuery matches, in the store's order, fetched lazily. The ordered
/// id list comes from one query in a worker thread (its own connection); rows are then read in
/// pages as the view scrolls (canFetchMore/fetchMore). Sorting goes through the store's ORDER BY.
/// With nesting on and no filter, child runs (tuning trials) sit under their parent.
/// refresh() re-reads in place: rows move, appear and vanish through the proper signals, so views
/// keep their selection.
class RunsTableModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Roles {
        RunIdRole = Qt::UserRole + 1,
        RunUuidRole,
        RunStatusRole,
        RunLifecycleRole,
    };

    explicit RunsTableModel(QObject *parent = nullptr);
    ~RunsTableModel() override;

    /// The store used on the GUI thread; its database path is opened again by worker threads.
    /// Null empties the model. Nothing is read until setQuery().
    void setStore(ExperimentStore *store);
    ExperimentStore *store() const { return m_store; }
    void setQuery(const RunQuery &query);
    RunQuery query() const { return m_query; }
    void setExtraColumns(const QList<RunColumn> &columns);
    QList<RunColumn> extraColumns() const { return m_extra; }
    RunColumn column(int section) const;
    int columnOf(const RunColumn &column) const;
    void setNestChildren(bool nest);
    bool nestChildren() const { return m_nest; }
    /// Whether children are shown under parents right now (nesting on and no filter).
    bool isTree() const { return m_tree; }
    void setPageSize(int rows) { m_pageSize = qMax(1, rows); }

    /// Re-reads the query and the rows loaded so far, keeping rows (and selections) in place.
    void refresh();
    /// Repaints the duration of loaded runs that are still running (their clock moves on
    /// even when they log nothing). Returns whether there were any.
    bool tickRunningDurations();
    bool isLoading() const { return m_loading; }
    /// Matching top-level runs, loaded or not.
    qint64 totalCount() const { return m_ids.size(); }
    /// Ids of every matching top-level run, in order.
    QList<qint64> allRunIds() const { return m_ids; }
    const RunRow *rowAt(const QModelIndex &index) const;
    QModelIndex indexOfRun(qint64 runId, int column = 0) const;
    /// Time the last query took in its worker thread, and the first page after it.
    qint64 lastQueryMs() const { return m_lastQueryMs; }

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    bool hasChildren(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

Q_SIGNALS:
    void loadingChanged(bool loading);
    /// The query failed (a filter that does not parse: position is where, else -1).
    void queryFailed(const QString &message, int position);
    /// A query or a refresh has been applied.
    void loaded();
    /// Emitted around a refresh that may move rows (views keep their scroll anchor).
    void aboutToRefresh();
    void refreshed();

private:
    struct Snapshot;
    void start(bool refresh);
    void apply(const Snapshot &snapshot);
    void applyRefresh(const Snapshot &snapshot);
    void refreshChildren();
    RunQuery effectiveQuery() const;
    const RunRow *rowFor(const QModelIndex &index) const;
    QVariant cellValue(const RunRow &row, const RunColumn &column, int role) const;
    QIcon statusIcon(RunStatus status) const;

    ExperimentStore *m_store = nullptr;
    RunQuery m_query;
    QList<RunColumn> m_extra;
    bool m_nest = true;
    bool m_tree = false;
    int m_pageSize = 100;

    QList<qint64> m_ids;       // every matching top-level run
    QList<RunRow> m_rows;      // the loaded prefix of m_ids
    QHash<qint64, int> m_rowOf; // top-level run id -> row
    QHash<qint64, QList<RunRow>> m_children; // loaded children by parent run id

    int m_generation = 0;
    bool m_loading = false;
    bool m_refreshQueued = false;
    bool m_changing = false; // inside a structural change: views and testers must not fetch now
    qint64 m_lastQueryMs = 0;
    mutable QHash<int, QIcon> m_statusIcons;
};

} // namespace cairn::panels
