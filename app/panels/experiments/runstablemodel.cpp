#include "runstablemodel.h"

#include "displaytext.h"
#include "threadstore.h"

#include "cairn/store/runexport.h"
#include "cairn/util/error.h"

#include <QApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QPainter>
#include <QPalette>
#include <QPixmap>
#include <QScopedValueRollback>
#include <QSet>
#include <QtConcurrent>

#include <algorithm>

namespace cairn::panels {

QList<RunRow> loadRunRows(ExperimentStore &store, const QList<qint64> &ids)
{
    QList<RunRow> rows;
    if (ids.isEmpty())
        return rows;
    const QList<Run> runs = store.runsByIds(ids);
    const auto params = store.paramsOf(ids);
    const auto tags = store.tagsOf(ids);
    const auto metrics = store.metricSummariesOf(ids);
    const auto children = store.childCounts(ids);
    rows.reserve(runs.size());
    for (const Run &run : runs) {
        RunRow row;
        row.run = run;
        row.params = params.value(run.id);
        row.tags = tags.value(run.id);
        row.metrics = metrics.value(run.id);
        row.childCount = children.value(run.id);
        rows.append(std::move(row));
    }
    return rows;
}

struct RunsTableModel::Snapshot
{
    int generation = 0;
    bool refresh = false;
    QList<qint64> ids;
    QList<RunRow> rows;
    QString error;
    int errorPosition = -1;
    qint64 elapsedMs = 0;
};

RunsTableModel::RunsTableModel(QObject *parent) : QAbstractItemModel(parent)
{
}

RunsTableModel::~RunsTableModel() = default;

void RunsTableModel::setStore(ExperimentStore *store)
{
    m_store = store;
    const QScopedValueRollback<bool> changing(m_changing, true);
    beginResetModel();
    m_ids.clear();
    m_rows.clear();
    m_rowOf.clear();
    m_children.clear();
    ++m_generation;
    if (m_loading) {
        m_loading = false;
        Q_EMIT loadingChanged(false);
    }
    endResetModel();
}

void RunsTableModel::setQuery(const RunQuery &query)
{
    m_query = query;
    start(false);
}

void RunsTableModel::setExtraColumns(const QList<RunColumn> &columns)
{
    if (columns == m_extra)
        return;
    // Columns change the shape, not the rows: a reset is the honest signal. The rows already
    // hold every param, metric and tag, so nothing is re-read.
    const QScopedValueRollback<bool> changing(m_changing, true);
    beginResetModel();
    m_extra = columns;
    endResetModel();
}

RunColumn RunsTableModel::column(int section) const
{
    static const QList<RunColumn> attributes = RunColumn::attributeColumns();
    if (section < attributes.size())
        return attributes.at(section);
    return m_extra.value(section - attributes.size());
}

int RunsTableModel::columnOf(const RunColumn &column) const
{
    for (int i = 0; i < columnCount(); ++i)
        if (this->column(i) == column)
            return i;
    return -1;
}

void RunsTableModel::setNestChildren(bool nest)
{
    if (nest == m_nest)
        return;
    m_nest = nest;
    start(false);
}

RunQuery RunsTableModel::effectiveQuery() const
{
    RunQuery q = m_query;
    q.topLevelOnly = m_nest && q.filter.trimmed().isEmpty();
    q.limit = -1;
    q.offset = 0;
    return q;
}

void RunsTableModel::refresh()
{
    if (!m_store)
        return;
    if (m_loading) { // one at a time; the next one picks up whatever changed meanwhile
        m_refreshQueued = true;
        return;
    }
    start(true);
}

void RunsTableModel::start(bool refresh)
{
    if (!m_store)
        return;
    const int generation = ++m_generation;
    const QString path = m_store->databasePath();
    const RunQuery query = effectiveQuery();
    // A refresh re-reads what is loaded; a new query reads the first page.
    const int wanted = refresh ? std::max<int>(int(m_rows.size()), m_pageSize) : m_pageSize;
    if (!refresh)
        m_refreshQueued = false;
    if (!m_loading) {
        m_loading = true;
        Q_EMIT loadingChanged(true);
    }
    auto *watcher = new QFutureWatcher<Snapshot>(this);
    connect(watcher, &QFutureWatcher<Snapshot>::finished, this, [this, watcher] {
        watcher->deleteLater();
        apply(watcher->result());
    });
    watcher->setFuture(QtConcurrent::run([path, query, wanted, generation, refresh] {
        Snapshot s;
        s.generation = generation;
        s.refresh = refresh;
        QElapsedTimer timer;
        timer.start();
        try {
            ExperimentStore &store = threadStore(path);
            s.ids = store.searchRunIds(query);
            s.rows = loadRunRows(store, s.ids.mid(0, wanted));
        } catch (const SearchSyntaxError &e) {
            s.error = e.message();
            s.errorPosition = e.position();
        } catch (const std::exception &e) {
            s.error = QString::fromUtf8(e.what());
        }
        s.elapsedMs = timer.elapsed();
        return s;
    }));
}

void RunsTableModel::apply(const Snapshot &snapshot)
{
    if (snapshot.generation != m_generation)
        return; // a newer query or refresh is on its way
    m_loading = false;
    m_lastQueryMs = snapshot.elapsedMs;
    if (!snapshot.error.isEmpty()) {
        const QScopedValueRollback<bool> changing(m_changing, true);
        beginResetModel();
        m_ids.clear();
        m_rows.clear();
        m_rowOf.clear();
        m_children.clear();
        endResetModel();
        Q_EMIT loadingChanged(false);
        Q_EMIT queryFailed(snapshot.error, snapshot.errorPosition);
        return;
    }
    if (snapshot.refresh) {
        applyRefresh(snapshot);
    } else {
        const QScopedValueRollback<bool> changing(m_changing, true);
        beginResetModel();
        m_tree = effectiveQuery().topLevelOnly;
        m_ids = snapshot.ids;
        m_rows = snapshot.rows;
        m_rowOf.clear();
        for (int i = 0; i < m_rows.size(); ++i)
            m_rowOf.insert(m_rows.at(i).run.id, i);
        m_children.clear();
        endResetModel();
    }
    Q_EMIT loadingChanged(false);
    Q_EMIT loaded();
    if (m_refreshQueued) {
        m_refreshQueued = false;
        refresh();
    }
}

void RunsTableModel::applyRefresh(const Snapshot &snapshot)
{
    Q_EMIT aboutToRefresh();
    // Listeners of the signals below may ask for more rows (views, QAbstractItemModelTester):
    // not while this sequence of changes is half done.
    const QScopedValueRollback<bool> changing(m_changing, true);
    QList<RunRow> fresh = snapshot.rows;
    QHash<qint64, int> freshPos;
    for (int i = 0; i < fresh.size(); ++i)
        freshPos.insert(fresh.at(i).run.id, i);

    // 1. Rows that left the result go, bottom up, in contiguous blocks.
    for (int end = int(m_rows.size()) - 1; end >= 0;) {
        if (freshPos.contains(m_rows.at(end).run.id)) {
            --end;
            continue;
        }
        int begin = end;
        while (begin > 0 && !freshPos.contains(m_rows.at(begin - 1).run.id))
            --begin;
        beginRemoveRows({}, begin, end);
        for (int i = begin; i <= end; ++i)
            m_children.remove(m_rows.at(i).run.id);
        m_rows.remove(begin, end - begin + 1);
        endRemoveRows();
        end = begin - 1;
    }
    auto reindex = [this] {
        m_rowOf.clear();
        for (int i = 0; i < m_rows.size(); ++i)
            m_rowOf.insert(m_rows.at(i).run.id, i);
    };
    reindex();

    // 2. Rows that stay but changed order (a sort by a metric that moved): a layout change
    //    that carries persistent indexes (selections) along.
    bool ordered = true;
    for (int i = 1; i < m_rows.size() && ordered; ++i)
        ordered = freshPos.value(m_rows.at(i - 1).run.id) < freshPos.value(m_rows.at(i).run.id);
    if (!ordered) {
        Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
        QList<RunRow> sorted = m_rows;
        std::sort(sorted.begin(), sorted.end(),
                  [&](const RunRow &a, const RunRow &b) { return freshPos.value(a.run.id) < freshPos.value(b.run.id); });
        QHash<qint64, int> newRow;
        for (int i = 0; i < sorted.size(); ++i)
            newRow.insert(sorted.at(i).run.id, i);
        const QModelIndexList persistent = persistentIndexList();
        QModelIndexList from, to;
        for (const QModelIndex &p : persistent) {
            if (p.internalId() != 0)
                continue; // children hang off their parent's id, not its row
            const qint64 id = m_rows.at(p.row()).run.id;
            from << p;
            to << createIndex(newRow.value(id), p.column(), quintptr(0));
        }
        m_rows = sorted;
        reindex();
        changePersistentIndexList(from, to);
        Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
    }

    // 3. New rows, in blocks, where the fresh order puts them.
    for (int pos = 0; pos < fresh.size();) {
        if (pos < m_rows.size() && m_rows.at(pos).run.id == fresh.at(pos).run.id) {
            ++pos;
            continue;
        }
        int end = pos;
        while (end < fresh.size() && !m_rowOf.contains(fresh.at(end).run.id))
            ++end;
        if (end == pos) { // cannot happen once the order matches; guard against a loop
            ++pos;
            continue;
        }
        beginInsertRows({}, pos, end - 1);
        for (int i = pos; i < end; ++i)
            m_rows.insert(i, fresh.at(i));
        reindex();
        endInsertRows();
        pos = end;
    }

    // 4. Values: every loaded row takes its fresh data (status, duration, metrics…).
    for (int i = 0; i < m_rows.size() && i < fresh.size(); ++i)
        m_rows[i] = fresh.at(i);
    m_ids = snapshot.ids;
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, columnCount() - 1));
    refreshChildren();
    Q_EMIT refreshed();
}

void RunsTableModel::refreshChildren()
{
    if (!m_store)
        return;
    const QList<qint64> parents = m_children.keys();
    for (qint64 parentId : parents) {
        const int parentRow = m_rowOf.value(parentId, -1);
        if (parentRow < 0) {
            m_children.remove(parentId);
            continue;
        }
        const QModelIndex parentIndex = index(parentRow, 0);
        QList<RunRow> fresh;
        try {
            QList<qint64> ids;
            for (const Run &child : m_store->childRuns(m_rows.at(parentRow).run.uuid))
                if (child.lifecycle == Lifecycle::Active || m_query.view != ViewType::ActiveOnly)
                    ids << child.id;
            fresh = loadRunRows(*m_store, ids);
        } catch (const Error &) {
            continue;
        }
        QList<RunRow> &current = m_children[parentId];
        bool same = fresh.size() == current.size();
        for (int i = 0; same && i < fresh.size(); ++i)
            same = fresh.at(i).run.id == current.at(i).run.id;
        if (same) {
            current = fresh;
            if (!current.isEmpty())
                Q_EMIT dataChanged(index(0, 0, parentIndex), index(int(current.size()) - 1, columnCount() - 1, parentIndex));
            continue;
        }
        if (!current.isEmpty()) {
            beginRemoveRows(parentIndex, 0, int(current.size()) - 1);
            current.clear();
            endRemoveRows();
        }
        if (!fresh.isEmpty()) {
            beginInsertRows(parentIndex, 0, int(fresh.size()) - 1);
            current = fresh;
            endInsertRows();
        }
    }
}

bool RunsTableModel::tickRunningDurations()
{
    const int column = columnOf(RunColumn{RunColumn::Duration, {}});
    bool any = false;
    for (int row = 0; row < m_rows.size(); ++row)
        if (m_rows.at(row).run.status == RunStatus::Running && m_rows.at(row).run.endTime == 0) {
            const QModelIndex cell = index(row, column);
            Q_EMIT dataChanged(cell, cell, {Qt::DisplayRole});
            any = true;
        }
    return any;
}

const RunRow *RunsTableModel::rowFor(const QModelIndex &index) const
{
    if (!index.isValid())
        return nullptr;
    if (index.internalId() == 0)
        return index.row() < m_rows.size() ? &m_rows.at(index.row()) : nullptr;
    const auto it = m_children.constFind(qint64(index.internalId()));
    if (it == m_children.constEnd() || index.row() >= it->size())
        return nullptr;
    return &it->at(index.row());
}

const RunRow *RunsTableModel::rowAt(const QModelIndex &index) const
{
    return rowFor(index);
}

QModelIndex RunsTableModel::indexOfRun(qint64 runId, int column) const
{
    if (const int row = m_rowOf.value(runId, -1); row >= 0)
        return index(row, column);
    for (auto it = m_children.cbegin(); it != m_children.cend(); ++it)
        for (int i = 0; i < it->size(); ++i)
            if (it->at(i).run.id == runId)
                return createIndex(i, column, quintptr(it.key()));
    return {};
}

QModelIndex RunsTableModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= columnCount())
        return {};
    if (!parent.isValid())
        return row < m_rows.size() ? createIndex(row, column, quintptr(0)) : QModelIndex();
    if (parent.internalId() != 0 || parent.row() >= m_rows.size())
        return {}; // two levels only
    const qint64 parentId = m_rows.at(parent.row()).run.id;
    const auto it = m_children.constFind(parentId);
    if (it == m_children.constEnd() || row >= it->size())
        return {};
    return createIndex(row, column, quintptr(parentId));
}

QModelIndex RunsTableModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == 0)
        return {};
    const int row = m_rowOf.value(qint64(child.internalId()), -1);
    return row < 0 ? QModelIndex() : createIndex(row, 0, quintptr(0));
}

int RunsTableModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_rows.size());
    if (parent.column() != 0 || parent.internalId() != 0 || parent.row() >= m_rows.size())
        return 0;
    return int(m_children.value(m_rows.at(parent.row()).run.id).size());
}

int RunsTableModel::columnCount(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return int(RunColumn::attributeColumns().size() + m_extra.size());
}

bool RunsTableModel::hasChildren(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return !m_rows.isEmpty();
    if (!m_tree || parent.column() != 0 || parent.internalId() != 0 || parent.row() >= m_rows.size())
        return false;
    return m_rows.at(parent.row()).childCount > 0;
}

bool RunsTableModel::canFetchMore(const QModelIndex &parent) const
{
    if (m_changing)
        return false;
    if (!parent.isValid())
        return !m_loading && m_rows.size() < m_ids.size();
    if (!m_tree || parent.column() != 0 || parent.internalId() != 0 || parent.row() >= m_rows.size())
        return false;
    const RunRow &row = m_rows.at(parent.row());
    return row.childCount > 0 && !m_children.contains(row.run.id);
}

void RunsTableModel::fetchMore(const QModelIndex &parent)
{
    if (!m_store || !canFetchMore(parent))
        return;
    const QScopedValueRollback<bool> changing(m_changing, true);
    try {
        if (!parent.isValid()) {
            const QList<qint64> page = m_ids.mid(m_rows.size(), m_pageSize);
            const QList<RunRow> rows = loadRunRows(*m_store, page);
            beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + rows.size()) - 1);
            for (const RunRow &row : rows) {
                m_rowOf.insert(row.run.id, int(m_rows.size()));
                m_rows.append(row);
            }
            endInsertRows();
            return;
        }
        const RunRow &parentRow = m_rows.at(parent.row());
        QList<qint64> ids;
        for (const Run &child : m_store->childRuns(parentRow.run.uuid))
            if (child.lifecycle == Lifecycle::Active || m_query.view != ViewType::ActiveOnly)
                ids << child.id;
        const QList<RunRow> rows = loadRunRows(*m_store, ids);
        if (rows.isEmpty()) {
            m_children.insert(parentRow.run.id, {});
            return;
        }
        beginInsertRows(parent, 0, int(rows.size()) - 1);
        m_children.insert(parentRow.run.id, rows);
        endInsertRows();
    } catch (const Error &e) {
        Q_EMIT queryFailed(e.message(), -1);
    }
}

void RunsTableModel::sort(int column, Qt::SortOrder order)
{
    if (column < 0 || column >= columnCount())
        return;
    const QString orderBy = this->column(column).orderField() + (order == Qt::DescendingOrder ? QStringLiteral(" DESC") : QString());
    if (orderBy == m_query.orderBy && !m_ids.isEmpty())
        return;
    m_query.orderBy = orderBy;
    start(false);
}

Qt::ItemFlags RunsTableModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (index.internalId() != 0)
        flags |= Qt::ItemNeverHasChildren;
    return flags;
}

QIcon RunsTableModel::statusIcon(RunStatus status) const
{
    const int key = int(status);
    if (auto it = m_statusIcons.constFind(key); it != m_statusIcons.constEnd())
        return *it;
    QColor color;
    switch (status) {
    case RunStatus::Scheduled: color = QColor(0xe0, 0x9a, 0x1a); break;
    case RunStatus::Running: color = QColor(0x2f, 0x7f, 0xe0); break;
    case RunStatus::Finished: color = QColor(0x2c, 0xa0, 0x4c); break;
    case RunStatus::Failed: color = QColor(0xd6, 0x3a, 0x3a); break;
    case RunStatus::Killed: color = QColor(0x8a, 0x8a, 0x8a); break;
    }
    QPixmap pixmap(16, 16);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(color);
    painter.drawEllipse(QRectF(3, 3, 10, 10));
    painter.end();
    return m_statusIcons[key] = QIcon(pixmap);
}

QVariant RunsTableModel::cellValue(const RunRow &row, const RunColumn &column, int role) const
{
    const Run &run = row.run;
    switch (column.kind) {
    case RunColumn::Name:
        if (role == Qt::ToolTipRole)
            return tr("%1\nRun id %2").arg(run.name, run.uuid);
        if (role == Qt::DisplayRole && m_tree && run.parentUuid.isEmpty() && row.childCount > 0)
            return tr("%1 (%n trials)", nullptr, row.childCount).arg(run.name);
        return run.name;
    case RunColumn::Status:
        if (role == Qt::DecorationRole)
            return statusIcon(run.status);
        return gui::DisplayText::runStatus(run.status);
    case RunColumn::Start:
        if (role == Qt::ToolTipRole)
            return gui::DisplayText::dateTime(run.startTime, QLocale::LongFormat);
        return gui::DisplayText::dateTime(run.startTime);
    case RunColumn::Duration:
        return run.startTime > 0 ? formatDuration(run.durationMs()) : QString();
    case RunColumn::Source:
        if (role == Qt::ToolTipRole)
            return run.sourceRef.isEmpty() ? run.sourceType : run.sourceType + QStringLiteral(": ") + run.sourceRef;
        return run.sourceRef.isEmpty() ? run.sourceType : run.sourceType + QStringLiteral(" · ") + QFileInfo(run.sourceRef).fileName();
    case RunColumn::Host:
        return run.host;
    case RunColumn::Param:
        return row.params.value(column.key);
    case RunColumn::Tag:
        return row.tags.value(column.key);
    case RunColumn::Metric: {
        const auto it = row.metrics.constFind(column.key);
        if (it == row.metrics.constEnd())
            return QString();
        if (role == Qt::ToolTipRole)
            return tr("last %1 at step %2\nmin %3, max %4, %n points", nullptr, int(it->count))
                .arg(formatMetricValue(it->last))
                .arg(it->lastStep)
                .arg(formatMetricValue(it->min), formatMetricValue(it->max));
        return compactNumber(it->last);
    }
    }
    return {};
}

QVariant RunsTableModel::data(const QModelIndex &index, int role) const
{
    const RunRow *row = rowFor(index);
    if (!row)
        return {};
    const RunColumn column = this->column(index.column());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        return cellValue(*row, column, role);
    case Qt::DecorationRole:
        return column.kind == RunColumn::Status ? cellValue(*row, column, role) : QVariant();
    case Qt::TextAlignmentRole:
        if (column.kind == RunColumn::Metric || column.kind == RunColumn::Duration)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (row->run.lifecycle == Lifecycle::Deleted)
            return QApplication::palette().brush(QPalette::Disabled, QPalette::Text);
        return {};
    case Qt::FontRole:
        if (row->run.lifecycle == Lifecycle::Deleted) {
            QFont font;
            font.setStrikeOut(true);
            return font;
        }
        return {};
    case RunIdRole: return row->run.id;
    case RunUuidRole: return row->run.uuid;
    case RunStatusRole: return runStatusName(row->run.status);
    case RunLifecycleRole: return row->run.lifecycle == Lifecycle::Deleted ? QStringLiteral("deleted") : QStringLiteral("active");
    default: return {};
    }
}

QVariant RunsTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount())
        return {};
    const RunColumn column = this->column(section);
    if (role == Qt::DisplayRole)
        return column.header();
    if (role == Qt::ToolTipRole)
        return column.headerToolTip();
    if (role == Qt::ForegroundRole) {
        // Metric, param and tag columns read apart at a glance.
        switch (column.kind) {
        case RunColumn::Metric: return QColor(0x2f, 0x7f, 0xe0);
        case RunColumn::Param: return QColor(0x2c, 0xa0, 0x4c);
        case RunColumn::Tag: return QColor(0xb0, 0x6a, 0x10);
        default: return {};
        }
    }
    return {};
}

} // namespace cairn::panels
