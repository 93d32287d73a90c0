#include "labelingpanel.h"

#include "imagecache.h"
#include "jobservice.h"
#include "imagecanvas.h"
#include "labelcommand.h"
#include "newjobdialog.h"
#include "studiocontext.h"
#include "thumbnailmodel.h"

#include "cairn/jobs/jobmanager.h"
#include "cairn/labeling/autolabel.h"
#include "cairn/labeling/labelformats.h"
#include "cairn/labeling/labelingjob.h"
#include "cairn/util/error.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QProcess>
#include <QSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QListWidget>
#include <QMenu>
#include <QPainter>
#include <QProgressBar>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QScrollBar>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace cairn::panels {

using namespace cairn::labeling;

namespace Internal {

/// A grid cell: the thumbnail, the file name, a bar in the status colour and a dot in the colour
/// of the (first) class.
class ThumbnailDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    int thumb = 96;

    QSize sizeHint(const QStyleOptionViewItem &, const QModelIndex &) const override { return QSize(thumb + 12, thumb + 26); }

    void paint(QPainter *p, const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        p->save();
        const QRect r = option.rect.adjusted(2, 2, -2, -2);
        if (option.state & QStyle::State_Selected) {
            p->setPen(QPen(option.palette.color(QPalette::Highlight), 2));
            p->setBrush(option.palette.color(QPalette::Highlight).lighter(170));
            p->drawRoundedRect(r, 4, 4);
        }
        const QPixmap pix = index.data(Qt::DecorationRole).value<QPixmap>();
        const QRect thumbRect(r.left() + (r.width() - thumb) / 2, r.top() + 3, thumb, thumb);
        if (!pix.isNull()) {
            const QSize s = pix.size().scaled(thumbRect.size(), Qt::KeepAspectRatio);
            const QRect target(thumbRect.left() + (thumbRect.width() - s.width()) / 2, thumbRect.top() + (thumbRect.height() - s.height()) / 2,
                               s.width(), s.height());
            p->drawPixmap(target, pix);
        }
        const auto status = ItemStatus(index.data(ThumbnailModel::StatusRole).toInt());
        p->fillRect(QRect(r.left() + 4, thumbRect.bottom() + 3, r.width() - 8, 4), statusColor(status));
        const QVariant classColor = index.data(ThumbnailModel::ClassColorRole);
        int textLeft = r.left() + 4;
        if (classColor.isValid()) {
            p->setRenderHint(QPainter::Antialiasing);
            p->setPen(Qt::NoPen);
            p->setBrush(classColor.value<QColor>());
            p->drawEllipse(QRect(textLeft, thumbRect.bottom() + 10, 9, 9));
            textLeft += 12;
        }
        p->setPen(option.palette.color((option.state & QStyle::State_Selected) ? QPalette::HighlightedText : QPalette::Text));
        QFont f = option.font;
        f.setPointSizeF(f.pointSizeF() * 0.85);
        p->setFont(f);
        const QRect textRect(textLeft, thumbRect.bottom() + 8, r.right() - textLeft - 2, 14);
        p->drawText(textRect, Qt::AlignLeft | Qt::AlignVCenter,
                    QFontMetrics(f).elidedText(index.data(Qt::DisplayRole).toString(), Qt::ElideMiddle, textRect.width()));
        p->restore();
    }
};

QString statusLabel(ItemStatus s)
{
    switch (s) {
    case ItemStatus::Unlabeled: return LabelingPanel::tr("Unlabeled");
    case ItemStatus::Labeled: return LabelingPanel::tr("Labeled");
    case ItemStatus::Skipped: return LabelingPanel::tr("Skipped");
    case ItemStatus::NeedsReview: return LabelingPanel::tr("Needs review");
    }
    return {};
}

QIcon swatch(const QColor &color, bool checked)
{
    QPixmap pm(16, 16);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(color.darker(140));
    p.setBrush(checked ? color : QColor(color.red(), color.green(), color.blue(), 60));
    p.drawRoundedRect(QRectF(1.5, 1.5, 13, 13), 3, 3);
    if (checked) {
        p.setPen(QPen(color.lightness() > 150 ? Qt::black : Qt::white, 2));
        p.drawLine(QPointF(4.5, 8), QPointF(7, 10.5));
        p.drawLine(QPointF(7, 10.5), QPointF(11.5, 5));
    }
    return QIcon(pm);
}

} // namespace Internal

using namespace Internal;

LabelingPanel::LabelingPanel(gui::StudioContext *context, QWidget *parent) : Panel(context, parent)
{
    m_undo = new QUndoStack(this);
    m_cache = new ImageCache(this);
    m_thumbs = new ThumbnailModel(this);
    m_poll = new QTimer(this);
    m_poll->setInterval(1500);
    buildUi();
    connect(m_cache, &ImageCache::loaded, this, [this](const QString &) { showImageIfReady(); });
    connect(m_poll, &QTimer::timeout, this, &LabelingPanel::pollForChanges);
    connect(context, &gui::StudioContext::workspaceChanged, this, [this] {
        closeJob();
        refreshJobList();
    });
    refreshJobList();
    m_poll->start();
}

LabelingPanel::~LabelingPanel()
{
    // Views reference the job through the model: detach before the job goes.
    m_thumbs->setSequence(nullptr, {});
}

void LabelingPanel::buildUi()
{
    m_toolbar = new QToolBar(this);
    m_toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_toolbar->setIconSize(QSize(16, 16));
    m_jobCombo = new QComboBox(this);
    m_jobCombo->setMinimumContentsLength(16);
    m_jobCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_jobCombo->setToolTip(tr("Labeling jobs of this workspace"));
    m_toolbar->addWidget(new QLabel(tr("Job: "), this));
    m_toolbar->addWidget(m_jobCombo);
    QAction *newAction = m_toolbar->addAction(tr("New…"), this, &LabelingPanel::newJob);
    newAction->setToolTip(tr("Create a labeling job from a folder of images or an input manifest"));

    auto addFormatMenu = [this](const QString &text, bool import) {
        auto *menu = new QMenu(text, this);
        const QStringList names = {tr("Ground Truth manifest…"), tr("COCO JSON…"), tr("YOLO folder…"), tr("Pascal VOC folder…")};
        for (int f = 0; f < names.size(); ++f)
            menu->addAction(names.at(f), this, [this, f, import] { import ? importLabels(f) : exportLabels(f); });
        QAction *a = menu->menuAction();
        m_toolbar->addAction(a);
        if (auto *button = qobject_cast<QToolButton *>(m_toolbar->widgetForAction(a)))
            button->setPopupMode(QToolButton::InstantPopup);
        return a;
    };
    m_importAction = addFormatMenu(tr("Import"), true);
    m_exportAction = addFormatMenu(tr("Export"), false);
    m_jobActions << m_importAction << m_exportAction;
    m_toolbar->addSeparator();

    auto action = [this](const QString &text, const QKeySequence &key, auto slot, const QString &tip = {}) {
        auto *a = new QAction(text, this);
        if (!key.isEmpty())
            a->setShortcut(key);
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        a->setToolTip(tip.isEmpty() ? text : tip);
        if (!key.isEmpty())
            a->setToolTip(QStringLiteral("%1 (%2)").arg(a->toolTip(), key.toString(QKeySequence::NativeText)));
        connect(a, &QAction::triggered, this, slot);
        addAction(a);
        m_jobActions << a;
        return a;
    };
    QAction *prev = action(tr("◀ Prev"), QKeySequence(Qt::Key_Left), [this] { previous(); });
    QAction *next = action(tr("Next ▶"), QKeySequence(Qt::Key_Right), [this] { this->next(); });
    m_acceptAction = action(tr("Accept"), QKeySequence(Qt::Key_Return), [this] { acceptCurrent(); },
                            tr("Confirm this image's label (review: accept the machine label) and go on"));
    m_skipAction = action(tr("Skip"), QKeySequence(Qt::Key_S), [this] { skipCurrent(); }, tr("Mark as skipped and go on"));
    action(tr("Clear"), QKeySequence(Qt::Key_Backspace), [this] { clearCurrent(); }, tr("Remove this image's label"));
    action(tr("Delete box"), QKeySequence(QKeySequence::Delete), [this] { deleteSelectedBox(); });
    auto *enterToo = new QAction(this);
    enterToo->setShortcut(QKeySequence(Qt::Key_Enter));
    enterToo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(enterToo, &QAction::triggered, this, [this] { acceptCurrent(); });
    addAction(enterToo);
    for (const auto &[key, forward] : {std::pair{Qt::Key_D, true}, std::pair{Qt::Key_A, false}, std::pair{Qt::Key_PageDown, true},
                                       std::pair{Qt::Key_PageUp, false}}) {
        auto *a = new QAction(this);
        a->setShortcut(QKeySequence(key));
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(a, &QAction::triggered, this, [this, forward = forward] { forward ? this->next() : previous(); });
        addAction(a);
    }
    // Fixed texts (the stack's "Undo Draw box" would widen the toolbar); the command is in the tip.
    auto *undo = new QAction(tr("Undo"), this);
    undo->setShortcut(QKeySequence::Undo);
    undo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    undo->setEnabled(false);
    connect(undo, &QAction::triggered, m_undo, &QUndoStack::undo);
    connect(m_undo, &QUndoStack::canUndoChanged, undo, &QAction::setEnabled);
    connect(m_undo, &QUndoStack::undoTextChanged, undo, [undo](const QString &text) { undo->setToolTip(tr("Undo %1 (Ctrl+Z)").arg(text)); });
    auto *redo = new QAction(tr("Redo"), this);
    redo->setEnabled(false);
    connect(redo, &QAction::triggered, m_undo, &QUndoStack::redo);
    connect(m_undo, &QUndoStack::canRedoChanged, redo, &QAction::setEnabled);
    connect(m_undo, &QUndoStack::redoTextChanged, redo, [redo](const QString &text) { redo->setToolTip(tr("Redo %1 (Ctrl+Shift+Z)").arg(text)); });
    // Every platform binding, plus both common ones (the offscreen and generic themes have few).
    QList<QKeySequence> redoKeys = QKeySequence::keyBindings(QKeySequence::Redo);
    for (const QKeySequence &k : {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)})
        if (!redoKeys.contains(k))
            redoKeys << k;
    redo->setShortcuts(redoKeys);
    redo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(undo);
    addAction(redo);
    m_toolbar->addAction(prev);
    m_toolbar->addAction(next);
    m_toolbar->addAction(m_acceptAction);
    m_toolbar->addAction(m_skipAction);
    m_toolbar->addAction(undo);
    m_toolbar->addAction(redo);
    m_toolbar->addSeparator();
    QAction *fit = action(tr("Fit"), QKeySequence(Qt::Key_F), [this] { m_canvas->fitToView(); }, tr("Fit the image to the view"));
    QAction *zoomIn = action(tr("+"), QKeySequence(Qt::Key_Plus), [this] { m_canvas->zoomIn(); }, tr("Zoom in"));
    QAction *zoomOut = action(tr("−"), QKeySequence(Qt::Key_Minus), [this] { m_canvas->zoomOut(); }, tr("Zoom out"));
    auto *equalsZoom = new QAction(this); // "+" without shift on most keyboards
    equalsZoom->setShortcut(QKeySequence(Qt::Key_Equal));
    equalsZoom->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(equalsZoom, &QAction::triggered, this, [this] { m_canvas->zoomIn(); });
    addAction(equalsZoom);
    m_toolbar->addAction(fit);
    m_toolbar->addAction(zoomIn);
    m_toolbar->addAction(zoomOut);
    QAction *crosshair = m_crosshairAction = action(tr("Crosshair"), QKeySequence(Qt::Key_C), [this](bool on) { m_canvas->setCrosshairVisible(on); });
    crosshair->setCheckable(true);
    crosshair->setChecked(true);
    m_toolbar->addAction(crosshair);
    m_toolbar->addSeparator();
    m_reviewAction = action(tr("Review"), QKeySequence(Qt::Key_R), [this](bool on) { setReviewMode(on); },
                            tr("Go through machine labels, least confident first: Enter accepts, a class key fixes"));
    m_reviewAction->setCheckable(true);
    m_toolbar->addAction(m_reviewAction);
    m_autoLabelAction = action(tr("Auto-label…"), {}, [this] { askAutoLabel(); },
                               tr("Train a classifier on the human labels and pre-label the rest (a training job)"));
    m_toolbar->addAction(m_autoLabelAction);
    m_trainAction = action(tr("Train on these labels"), {}, [this] { trainOnLabels(); },
                           tr("Open a training job on this job's labeled images in the Training panel"));
    m_toolbar->addAction(m_trainAction);

    m_instructions = new QLabel(this);
    m_instructions->setWordWrap(true);
    m_instructions->setTextFormat(Qt::PlainText);
    m_instructions->setContentsMargins(6, 2, 6, 2);
    m_instructions->setStyleSheet(QStringLiteral("QLabel { background: palette(alternate-base); border-radius: 3px; }"));
    m_instructions->hide();

    // Left: status filter and thumbnail grid.
    m_filterCombo = new QComboBox(this);
    m_filterCombo->addItem(tr("All images"), -1);
    for (ItemStatus s : allStatuses())
        m_filterCombo->addItem(statusLabel(s), int(s));
    connect(m_filterCombo, &QComboBox::activated, this, [this](int i) {
        const int v = m_filterCombo->itemData(i).toInt();
        setStatusFilter(v < 0 ? std::nullopt : std::optional<ItemStatus>(ItemStatus(v)));
    });
    m_grid = new QListView(this);
    m_grid->setViewMode(QListView::IconMode);
    m_grid->setResizeMode(QListView::Adjust);
    m_grid->setMovement(QListView::Static);
    m_grid->setUniformItemSizes(true);
    m_grid->setLayoutMode(QListView::Batched);
    m_grid->setBatchSize(200);
    m_grid->setSpacing(2);
    m_grid->setSelectionMode(QAbstractItemView::SingleSelection);
    m_grid->setItemDelegate(new ThumbnailDelegate(m_grid));
    m_grid->setModel(m_thumbs);
    m_grid->setMinimumWidth(130);
    // The batched layout grows the scroll range as it places items.
    for (QScrollBar *bar : {m_grid->verticalScrollBar(), m_grid->horizontalScrollBar()})
        connect(bar, &QScrollBar::rangeChanged, this, [this] {
            if (m_scrollPending)
                scrollToCurrent();
        });
    m_grid->installEventFilter(this);
    connect(m_grid->selectionModel(), &QItemSelectionModel::currentChanged, this, [this](const QModelIndex &index) {
        const int item = m_thumbs->itemAt(index.row());
        if (item >= 0 && item != m_current)
            showItem(item);
    });
    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_filterCombo);
    leftLayout->addWidget(m_grid, 1);

    // Centre: the canvas and a line about the current item.
    m_canvas = new ImageCanvas(this);
    m_info = new QLabel(this);
    m_info->setTextFormat(Qt::PlainText);
    m_info->setContentsMargins(6, 2, 6, 2);
    connect(m_canvas, &ImageCanvas::boxesEdited, this, &LabelingPanel::onBoxesEdited);
    connect(m_canvas, &ImageCanvas::selectionChanged, this, [this] { updateClassList(); });
    auto *centre = new QWidget(this);
    auto *centreLayout = new QVBoxLayout(centre);
    centreLayout->setContentsMargins(0, 0, 0, 0);
    centreLayout->setSpacing(0);
    centreLayout->addWidget(m_canvas, 1);
    centreLayout->addWidget(m_info);

    // Right: classes with keys and counts, progress.
    m_classList = new QListWidget(this);
    m_classList->setSelectionMode(QAbstractItemView::NoSelection);
    m_classList->setFocusPolicy(Qt::NoFocus);
    connect(m_classList, &QListWidget::itemClicked, this, [this](QListWidgetItem *item) { pressClass(item->data(Qt::UserRole).toInt()); });
    m_progress = new QProgressBar(this);
    m_countsLabel = new QLabel(this);
    m_countsLabel->setWordWrap(true);
    auto *right = new QWidget(this);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    auto *classesTitle = new QLabel(tr("Classes (press the key)"), this);
    QFont bold = classesTitle->font();
    bold.setBold(true);
    classesTitle->setFont(bold);
    rightLayout->addWidget(classesTitle);
    rightLayout->addWidget(m_classList, 1);
    rightLayout->addWidget(m_progress);
    rightLayout->addWidget(m_countsLabel);
    right->setMinimumWidth(170);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(left);
    splitter->addWidget(centre);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setStretchFactor(2, 0);
    splitter->setSizes({250, 700, 200});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    layout->addWidget(m_toolbar);
    layout->addWidget(m_instructions);
    layout->addWidget(splitter, 1);

    connect(m_jobCombo, &QComboBox::activated, this, [this](int i) {
        const QString name = m_jobCombo->itemData(i).toString();
        if (!name.isEmpty() && (!m_job || m_job->name() != name))
            openJob(name);
    });
    updateActions();
}

void LabelingPanel::refreshJobList()
{
    const QString current = m_job ? m_job->name() : QString();
    m_jobCombo->clear();
    if (!context()->hasWorkspace()) {
        m_jobCombo->addItem(tr("(no workspace)"));
        m_canvas->setMessage(tr("Open a workspace to label images."));
        return;
    }
    const QStringList names = LabelingJob::list(context()->workspacePath());
    if (names.isEmpty())
        m_jobCombo->addItem(tr("(no jobs yet)"));
    for (const QString &n : names)
        m_jobCombo->addItem(n, n);
    const int i = m_jobCombo->findData(current);
    if (i >= 0)
        m_jobCombo->setCurrentIndex(i);
    if (!m_job && !names.isEmpty()) {
        // Open the first job, so that there is something to label at once.
        if (openJob(names.first()))
            return;
    }
    if (!m_job)
        m_canvas->setMessage(names.isEmpty() ? tr("No labeling jobs yet: create one with New… (or cairn label create).")
                                             : tr("Choose a labeling job."));
}

bool LabelingPanel::openJob(const QString &name)
{
    if (!context()->hasWorkspace())
        return false;
    std::unique_ptr<LabelingJob> job;
    try {
        job = LabelingJob::open(context()->workspacePath(), name);
    } catch (const Error &e) {
        Q_EMIT context()->statusMessage(e.message(), 8000);
        return false;
    }
    closeJob();
    m_job = std::move(job);
    m_knownVersion = m_job->dataVersion();
    refreshJobList();
    m_canvas->setBoxMode(m_job->type() == TaskType::BoundingBox);
    m_canvas->setDrawClass(0);
    rebuildClassShortcuts();
    m_reviewMode = false;
    m_reviewAction->setChecked(false);
    updateInstructions();
    // Start where work is left: the first unlabeled image.
    int start = 0;
    for (int i = 0; i < m_job->itemCount(); ++i)
        if (m_job->item(i).status == ItemStatus::Unlabeled) {
            start = i;
            break;
        }
    rebuildSequence(m_job->itemCount() ? start : -1);
    updateCounts();
    updateActions();
    Q_EMIT jobOpened(name);
    return true;
}

void LabelingPanel::closeJob()
{
    m_undo->clear();
    m_thumbs->setSequence(nullptr, {});
    m_cache->clear();
    m_job.reset();
    m_current = -1;
    m_shownItem = -1;
    m_instructions->hide();
    m_classList->clear();
    updateCounts();
    updateActions();
}

void LabelingPanel::rebuildClassShortcuts()
{
    qDeleteAll(m_classActions);
    m_classActions.clear();
    if (!m_job)
        return;
    QList<QColor> colors;
    QStringList names;
    for (const LabelClass &c : m_job->classes()) {
        colors << QColor(c.color);
        names << c.name;
    }
    m_canvas->setClasses(colors, names);
    for (const LabelClass &c : m_job->classes()) {
        if (c.key.isEmpty())
            continue;
        auto *a = new QAction(this);
        a->setShortcut(QKeySequence(c.key));
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        const int id = c.id;
        connect(a, &QAction::triggered, this, [this, id] { pressClass(id); });
        addAction(a);
        m_classActions << a;
    }
    updateClassList();
}

void LabelingPanel::rebuildSequence(int keepItem)
{
    QList<int> items;
    if (m_job) {
        if (m_reviewMode) {
            items = m_job->reviewQueue();
        } else {
            items.reserve(m_job->itemCount());
            for (int i = 0; i < m_job->itemCount(); ++i)
                if (!m_filter || m_job->item(i).status == *m_filter)
                    items << i;
        }
    }
    m_thumbs->setSequence(m_job.get(), items);
    if (items.isEmpty()) {
        m_current = -1;
        m_shownItem = -1;
        if (m_job)
            m_canvas->setMessage(m_reviewMode ? tr("No machine labels wait for review.") : tr("No images with this status."));
        updateInfo();
        updateClassList();
        return;
    }
    const int item = m_thumbs->rowOf(keepItem) >= 0 ? keepItem : items.first();
    m_current = -1;
    showItem(item);
}

void LabelingPanel::setStatusFilter(std::optional<ItemStatus> status)
{
    m_filter = status;
    const int i = m_filterCombo->findData(status ? int(*status) : -1);
    if (i >= 0)
        m_filterCombo->setCurrentIndex(i);
    rebuildSequence(m_current);
}

void LabelingPanel::setReviewMode(bool on)
{
    m_reviewMode = on;
    m_reviewAction->setChecked(on);
    m_filterCombo->setEnabled(!on);
    rebuildSequence(m_current);
    updateInstructions();
}

void LabelingPanel::updateInstructions()
{
    QString text = m_job ? m_job->settings().instructions : QString();
    if (m_job && m_reviewMode)
        text = tr("Review mode: machine labels, least confident first. Enter accepts, a class key replaces, S skips.")
               + (text.isEmpty() ? QString() : QStringLiteral("\n") + text);
    m_instructions->setText(text);
    m_instructions->setVisible(!text.isEmpty());
}

void LabelingPanel::goToItem(int itemIndex)
{
    if (!m_job || itemIndex < 0 || itemIndex >= m_job->itemCount())
        return;
    if (m_thumbs->rowOf(itemIndex) < 0) {
        // Not in the filtered list: show all.
        m_filter.reset();
        m_reviewMode = false;
        m_reviewAction->setChecked(false);
        m_filterCombo->setEnabled(true);
        updateInstructions();
        m_filterCombo->setCurrentIndex(0);
        rebuildSequence(itemIndex);
        return;
    }
    showItem(itemIndex);
}

void LabelingPanel::next()
{
    const int row = m_thumbs->rowOf(m_current);
    if (row >= 0 && row + 1 < m_thumbs->rowCount())
        showItem(m_thumbs->itemAt(row + 1));
    else if (row >= 0)
        Q_EMIT context()->statusMessage(tr("That was the last image of the list."));
}

void LabelingPanel::previous()
{
    const int row = m_thumbs->rowOf(m_current);
    if (row > 0)
        showItem(m_thumbs->itemAt(row - 1));
}

void LabelingPanel::showItem(int itemIndex)
{
    if (!m_job || itemIndex < 0 || itemIndex >= m_job->itemCount())
        return;
    const bool changed = itemIndex != m_current;
    m_current = itemIndex;
    const int row = m_thumbs->rowOf(itemIndex);
    if (row >= 0) {
        const QModelIndex index = m_thumbs->index(row);
        if (m_grid->currentIndex() != index) {
            // Not under a QSignalBlocker: the view repaints the thumbnail that loses the selection
            // only when told. m_current is already the item, so the view's currentChanged is a no-op.
            m_grid->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect);
        }
        scrollToCurrent();
    }
    if (changed) {
        m_shownItem = -1;
        prefetchAround(row);
        showImageIfReady();
        Q_EMIT currentItemChanged(itemIndex);
    }
    updateInfo();
    updateClassList();
}

bool LabelingPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_grid && m_scrollPending && (event->type() == QEvent::Show || event->type() == QEvent::Resize))
        QTimer::singleShot(0, this, &LabelingPanel::scrollToCurrent);
    return gui::Panel::eventFilter(watched, event);
}

void LabelingPanel::scrollToCurrent()
{
    // The grid lays out its items in batches once shown: until the current one has a place, scrolling
    // waits for the layout (the scroll range grows) or the first show (a job reopened at start-up).
    const QModelIndex index = m_grid->currentIndex();
    if (!index.isValid())
        return;
    m_grid->scrollTo(index, QAbstractItemView::PositionAtCenter);
    m_scrollPending = !m_grid->isVisible() || !m_grid->viewport()->rect().intersects(m_grid->visualRect(index));
}

void LabelingPanel::prefetchAround(int row)
{
    if (row < 0)
        return;
    QStringList paths;
    for (int d : {0, 1, 2, 3, -1, 4, 5, -2})
        if (const int item = m_thumbs->itemAt(row + d); item >= 0)
            paths << m_job->item(item).source;
    m_cache->request(paths);
}

void LabelingPanel::showImageIfReady()
{
    if (!m_job || m_current < 0 || m_shownItem == m_current)
        return;
    const Item &item = m_job->item(m_current);
    if (!m_cache->contains(item.source)) {
        if (m_shownItem != -2) {
            m_canvas->setMessage(tr("Loading %1…").arg(QFileInfo(item.source).fileName()));
            m_shownItem = -2;
        }
        return;
    }
    const QImage image = m_cache->image(item.source);
    if (image.isNull()) {
        m_canvas->setMessage(tr("Cannot read %1").arg(item.source), true);
        m_shownItem = m_current;
        return;
    }
    m_canvas->setImage(image);
    m_canvas->setBoxes(item.annotation.boxes);
    m_shownItem = m_current;
    updateInfo();
}

void LabelingPanel::updateInfo()
{
    if (!m_job || m_current < 0) {
        m_info->setText(m_job ? tr("No image") : QString());
        return;
    }
    const Item &item = m_job->item(m_current);
    const int row = m_thumbs->rowOf(m_current);
    QString text = tr("%1 of %2 · %3 · %4").arg(row + 1).arg(m_thumbs->rowCount()).arg(QFileInfo(item.source).fileName(), statusLabel(item.status));
    const Annotation &a = item.annotation;
    if (item.status != ItemStatus::Unlabeled && item.status != ItemStatus::Skipped) {
        QStringList classes;
        for (int k = 0; k < a.classes.size(); ++k) {
            const QString name = a.classes.at(k) < m_job->classes().size() ? m_job->classes().at(a.classes.at(k)).name : QString();
            classes << (a.human ? name : tr("%1 (%2%)").arg(name).arg(qRound(a.confidenceOf(k) * 100)));
        }
        if (!classes.isEmpty())
            text += QStringLiteral(" · ") + classes.join(QStringLiteral(", "));
        if (m_job->type() == TaskType::BoundingBox)
            text += QStringLiteral(" · ") + tr("%n box(es)", nullptr, int(a.boxes.size()));
        if (!a.human)
            text += QStringLiteral(" · ") + (a.boxes.isEmpty() ? tr("machine label") : tr("machine label, lowest confidence %1%").arg(qRound(a.minConfidence() * 100)));
    }
    if (m_shownItem == m_current && m_canvas->hasImage())
        text += QStringLiteral(" · %1×%2").arg(m_canvas->imageSize().width()).arg(m_canvas->imageSize().height());
    m_info->setText(text);
}

void LabelingPanel::updateClassList()
{
    if (!m_job) {
        m_classList->clear();
        return;
    }
    const JobCounts counts = m_job->counts();
    const Annotation *current = m_current >= 0 ? &m_job->item(m_current).annotation : nullptr;
    const int selectedBox = m_canvas->selectedBox();
    if (m_classList->count() != m_job->classes().size()) {
        m_classList->clear();
        for (int i = 0; i < m_job->classes().size(); ++i)
            m_classList->addItem(new QListWidgetItem);
    }
    for (const LabelClass &c : m_job->classes()) {
        QListWidgetItem *item = m_classList->item(c.id);
        bool checked = false;
        if (current && m_current >= 0 && m_job->item(m_current).status != ItemStatus::Skipped) {
            if (m_job->type() == TaskType::BoundingBox)
                checked = selectedBox >= 0 ? m_canvas->boxes().value(selectedBox).classId == c.id : m_canvas->drawClass() == c.id;
            else
                checked = current->classes.contains(c.id);
        }
        item->setIcon(swatch(QColor(c.color), checked));
        item->setText(QStringLiteral("%1   %2   (%3)").arg(c.key.isEmpty() ? QStringLiteral(" ") : c.key, c.name).arg(counts.perClass.value(c.id)));
        item->setData(Qt::UserRole, c.id);
        QFont f = item->font();
        f.setBold(checked);
        item->setFont(f);
        item->setToolTip(m_job->type() == TaskType::BoundingBox ? tr("Press %1: boxes drawn next are %2; with a box selected, it becomes %2").arg(c.key, c.name)
                                                                : tr("Press %1 for %2").arg(c.key, c.name));
    }
}

void LabelingPanel::updateCounts()
{
    if (!m_job) {
        m_progress->setRange(0, 1);
        m_progress->setValue(0);
        m_progress->setFormat(QString());
        m_countsLabel->clear();
        return;
    }
    m_progress->setFormat(tr("%v of %m done (%p%)"));
    const JobCounts c = m_job->counts();
    m_progress->setRange(0, std::max(1, c.total));
    m_progress->setValue(c.done());
    QString text = tr("Labeled %1 · Skipped %2\nNeeds review %3 · Unlabeled %4").arg(c.labeled).arg(c.skipped).arg(c.needsReview).arg(c.unlabeled);
    if (c.machineLabeled)
        text += QLatin1Char('\n') + tr("%n machine label(s)", nullptr, c.machineLabeled);
    m_countsLabel->setText(text);
}

void LabelingPanel::updateActions()
{
    const bool hasJob = bool(m_job);
    for (QAction *a : m_jobActions)
        a->setEnabled(hasJob);
    // The crosshair is for drawing boxes; auto-labeling and training use image classifiers,
    // which need one class per image.
    m_crosshairAction->setEnabled(hasJob && m_job->type() == TaskType::BoundingBox);
    m_autoLabelAction->setEnabled(hasJob && m_job->type() == TaskType::SingleLabel && !m_autoProcess);
    m_trainAction->setEnabled(hasJob && m_job->type() == TaskType::SingleLabel);
    m_filterCombo->setEnabled(hasJob && !m_reviewMode);
}

void LabelingPanel::pushLabel(int itemIndex, ItemStatus status, const Annotation &annotation, const QString &text)
{
    if (!m_job || itemIndex < 0)
        return;
    const Item &item = m_job->item(itemIndex);
    try {
        m_job->validate(annotation, status);
    } catch (const Error &e) {
        Q_EMIT context()->statusMessage(e.message(), 6000);
        return;
    }
    if (item.status == status && item.annotation == annotation)
        return;
    m_undo->push(new LabelCommand([this](int i, ItemStatus s, const Annotation &a) { applyLabel(i, s, a); }, itemIndex, item.status,
                                  item.annotation, status, annotation, text));
}

void LabelingPanel::applyLabel(int itemIndex, ItemStatus status, const Annotation &annotation)
{
    if (!m_job)
        return;
    try {
        LabelingJob::Update u{itemIndex, status, annotation, {}};
        // Box exports need the image size: record it with the label, in the same commit.
        if (m_job->type() == TaskType::BoundingBox && itemIndex == m_shownItem && m_canvas->hasImage() && !m_job->item(itemIndex).size.isValid()) {
            const QImage image = m_cache->image(m_job->item(itemIndex).source);
            const int depth = image.isGrayscale() ? 1 : image.hasAlphaChannel() ? 4 : 3;
            u.size = {m_canvas->imageSize().width(), m_canvas->imageSize().height(), depth};
        }
        m_job->apply({u});
        m_knownVersion = m_job->dataVersion();
    } catch (const Error &e) {
        Q_EMIT context()->statusMessage(tr("Not saved: %1").arg(e.message()), 8000);
        return;
    }
    m_thumbs->itemChanged(itemIndex);
    if (itemIndex != m_current) {
        // Undo/redo of another image: show it, so the change is seen.
        showItem(itemIndex);
    } else if (m_job->type() == TaskType::BoundingBox && m_canvas->boxes() != m_job->item(itemIndex).annotation.boxes) {
        m_canvas->setBoxes(m_job->item(itemIndex).annotation.boxes);
    }
    updateInfo();
    updateClassList();
    updateCounts();
}

void LabelingPanel::pressClass(int classId)
{
    if (!m_job || m_current < 0 || classId < 0 || classId >= m_job->classes().size())
        return;
    const Item &item = m_job->item(m_current);
    const QString className = m_job->classes().at(classId).name;
    switch (m_job->type()) {
    case TaskType::SingleLabel: {
        Annotation a;
        a.classes = {classId};
        pushLabel(m_current, ItemStatus::Labeled, a, tr("Label %1").arg(className));
        next();
        break;
    }
    case TaskType::MultiLabel: {
        Annotation a = item.status == ItemStatus::Skipped ? Annotation{} : item.annotation;
        const int k = int(a.classes.indexOf(classId));
        if (!a.confidences.isEmpty() && k >= 0)
            a.confidences.removeAt(k);
        if (k >= 0)
            a.classes.removeAt(k);
        else {
            a.classes << classId;
            if (!a.confidences.isEmpty())
                a.confidences << 1.0;
        }
        std::vector<std::pair<int, double>> pairs;
        for (int i = 0; i < a.classes.size(); ++i)
            pairs.push_back({a.classes.at(i), a.confidenceOf(i)});
        std::sort(pairs.begin(), pairs.end());
        a.classes.clear();
        a.confidences.clear();
        for (const auto &[c, conf] : pairs) {
            a.classes << c;
            a.confidences << conf;
        }
        a.human = true;
        a.confidences.clear(); // a human's choice is certain
        a.creationDate.clear();
        pushLabel(m_current, ItemStatus::Labeled, a, k >= 0 ? tr("Remove %1").arg(className) : tr("Add %1").arg(className));
        break;
    }
    case TaskType::BoundingBox: {
        const int sel = m_canvas->selectedBox();
        if (sel >= 0) {
            Annotation a = item.annotation;
            a.boxes = m_canvas->boxes();
            if (sel < a.boxes.size() && a.boxes[sel].classId != classId) {
                a.boxes[sel].classId = classId;
                a.boxes[sel].confidence = 1.0;
                a.human = true;
                a.creationDate.clear();
                pushLabel(m_current, ItemStatus::Labeled, a, tr("Make box %1").arg(className));
            }
        }
        m_canvas->setDrawClass(classId);
        updateClassList();
        break;
    }
    }
}

void LabelingPanel::onBoxesEdited(const QList<Box> &before, const QList<Box> &after)
{
    Q_UNUSED(before);
    if (!m_job || m_current < 0)
        return;
    Annotation a = m_job->item(m_current).annotation;
    a.boxes = after;
    a.human = true;
    a.creationDate.clear();
    for (Box &b : a.boxes)
        if (!m_job->item(m_current).annotation.boxes.contains(b))
            b.confidence = 1.0;
    const QString text = after.size() > before.size()   ? tr("Draw box")
                         : after.size() < before.size() ? tr("Delete box")
                                                        : tr("Move box");
    pushLabel(m_current, ItemStatus::Labeled, a, text);
}

void LabelingPanel::deleteSelectedBox()
{
    if (!m_job || m_job->type() != TaskType::BoundingBox || m_canvas->selectedBox() < 0)
        return;
    QList<Box> boxes = m_canvas->boxes();
    const QList<Box> before = boxes;
    boxes.removeAt(m_canvas->selectedBox());
    m_canvas->selectBox(-1);
    onBoxesEdited(before, boxes);
}

void LabelingPanel::acceptCurrent()
{
    if (!m_job || m_current < 0)
        return;
    const Item &item = m_job->item(m_current);
    if (m_job->type() == TaskType::SingleLabel && item.annotation.classes.isEmpty()) {
        Q_EMIT context()->statusMessage(tr("Press a class key first."));
        return;
    }
    Annotation a = item.status == ItemStatus::Skipped ? Annotation{} : item.annotation;
    if (!a.human) {
        a.human = true; // a person has checked it
        a.creationDate.clear();
    }
    pushLabel(m_current, ItemStatus::Labeled, a, item.status == ItemStatus::NeedsReview ? tr("Accept") : tr("Confirm"));
    next();
}

void LabelingPanel::skipCurrent()
{
    if (!m_job || m_current < 0)
        return;
    pushLabel(m_current, ItemStatus::Skipped, {}, tr("Skip"));
    next();
}

void LabelingPanel::clearCurrent()
{
    if (!m_job || m_current < 0)
        return;
    pushLabel(m_current, ItemStatus::Unlabeled, {}, tr("Clear label"));
}

void LabelingPanel::pollForChanges()
{
    // Jobs made elsewhere (cairn label create, another studio) appear without a restart.
    if (isVisible() && context()->hasWorkspace()) {
        QStringList listed;
        for (int i = 0; i < m_jobCombo->count(); ++i)
            if (const QString name = m_jobCombo->itemData(i).toString(); !name.isEmpty())
                listed << name;
        if (LabelingJob::list(context()->workspacePath()) != listed)
            refreshJobList();
    }
    if (!m_job || !isVisible())
        return;
    qint64 version = 0;
    try {
        version = m_job->dataVersion();
    } catch (const Error &) {
        return;
    }
    if (version == m_knownVersion)
        return;
    // Another process (the CLI, an auto-labeling job) committed: show its labels.
    m_job->reload();
    m_knownVersion = m_job->dataVersion();
    m_undo->clear(); // the stack's "before" states may no longer hold
    const int keep = m_current;
    rebuildClassShortcuts();
    rebuildSequence(keep);
    updateCounts();
}

void LabelingPanel::newJob()
{
    if (!context()->hasWorkspace())
        return;
    NewJobDialog dialog(context()->workspacePath(), this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const JobSettings settings = dialog.settings();
    const QString workspace = context()->workspacePath();
    const QString source = dialog.sourcePath();
    const bool fromManifest = dialog.fromManifest();
    Q_EMIT context()->statusMessage(tr("Creating labeling job %1…").arg(settings.name), 0);
    // Scanning a big folder and writing the items is disk work: off the GUI thread, with its
    // own connection (one per thread).
    auto *watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher, name = settings.name] {
        watcher->deleteLater();
        const QString error = watcher->result();
        if (!error.isEmpty()) {
            Q_EMIT context()->statusMessage(tr("Cannot create the job: %1").arg(error), 10000);
            return;
        }
        refreshJobList();
        openJob(name);
        Q_EMIT context()->statusMessage(tr("Created labeling job %1").arg(name));
    });
    watcher->setFuture(QtConcurrent::run([=]() -> QString {
        try {
            JobSettings s = settings;
            if (fromManifest) {
                const ManifestSources ms = readManifestSources(source);
                const ParsedLabels labels = parseManifest(source, s.type);
                if (s.classes.isEmpty()) {
                    QList<int> ids = labels.classes.keys();
                    std::sort(ids.begin(), ids.end());
                    for (int id : ids)
                        s.classes << LabelClass{0, labels.classes.value(id), {}, {}};
                }
                auto job = LabelingJob::create(workspace, s, ms.paths, ms.refs);
                cairn::labeling::importLabels(*job, labels);
            } else {
                const QStringList files = LabelingJob::scanImageFolder(source);
                if (files.isEmpty())
                    return tr("%1 holds no images").arg(source);
                LabelingJob::create(workspace, s, files);
            }
        } catch (const Error &e) {
            return e.message();
        }
        return {};
    }));
}

bool LabelingPanel::trainOnLabels()
{
    if (!m_job)
        return false;
    JobSpec spec;
    try {
        spec = trainingSpecFor(*m_job);
    } catch (const Error &e) {
        Q_EMIT context()->statusMessage(e.message(), 10000);
        return false;
    }
    gui::JobService::of(context())->requestTraining(spec);
    Q_EMIT context()->statusMessage(tr("Training job prepared in the Training panel: %1 labeled images from %2")
                                        .arg(m_job->counts().labeled)
                                        .arg(spec.channels.value(QStringLiteral("train")).path),
                                    10000);
    return true;
}

void LabelingPanel::askAutoLabel()
{
    if (!m_job)
        return;
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Auto-label %1").arg(m_job->name()));
    auto *threshold = new QDoubleSpinBox(&dialog);
    threshold->setRange(0.0, 1.0);
    threshold->setSingleStep(0.05);
    threshold->setValue(AutoLabelOptions{}.threshold);
    threshold->setToolTip(tr("Machine labels at or above this confidence are accepted; the others wait for review, least confident first."));
    auto *minLabels = new QSpinBox(&dialog);
    minLabels->setRange(1, 1000000);
    minLabels->setValue(AutoLabelOptions{}.minHumanLabels);
    auto *epochs = new QSpinBox(&dialog);
    epochs->setRange(1, 1000);
    epochs->setValue(AutoLabelOptions{}.epochs);
    auto *form = new QFormLayout(&dialog);
    auto *intro = new QLabel(tr("A CNN is trained on the %n human label(s) as a training job, then labels the other images.", nullptr,
                                m_job->counts().labeled - m_job->counts().machineLabeled),
                             &dialog);
    intro->setWordWrap(true);
    form->addRow(intro);
    form->addRow(tr("Accept at confidence ≥"), threshold);
    form->addRow(tr("Human labels needed"), minLabels);
    form->addRow(tr("Epochs"), epochs);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() == QDialog::Accepted)
        startAutoLabel(threshold->value(), minLabels->value(), epochs->value());
}

bool LabelingPanel::startAutoLabel(double threshold, int minHumanLabels, int epochs)
{
    if (!m_job || m_autoProcess)
        return false;
    // Check here what the run would refuse, so the user hears it at once.
    try {
        AutoLabelOptions options;
        options.minHumanLabels = minHumanLabels;
        prepareAutoLabel(*m_job, options);
    } catch (const Error &e) {
        Q_EMIT context()->statusMessage(e.message(), 10000);
        return false;
    }
    JobManager *manager = gui::JobService::of(context())->manager();
    if (!manager)
        return false;
    m_autoProcess = new QProcess(this);
    m_autoProcess->setProgram(manager->workerProgram());
    m_autoProcess->setArguments({QStringLiteral("--workspace"), context()->workspacePath(), QStringLiteral("label"), QStringLiteral("autolabel"),
                                 m_job->name(), QStringLiteral("--threshold"), QString::number(threshold), QStringLiteral("--min-labels"),
                                 QString::number(minHumanLabels), QStringLiteral("--epochs"), QString::number(epochs)});
    m_autoLabelAction->setEnabled(false);
    connect(m_autoProcess, &QProcess::readyReadStandardError, this, [this] {
        const QList<QByteArray> lines = m_autoProcess->readAllStandardError().trimmed().split('\n');
        if (!lines.isEmpty() && !lines.last().isEmpty())
            Q_EMIT context()->statusMessage(tr("Auto-labeling: %1").arg(QString::fromUtf8(lines.last()).remove(QStringLiteral("cairn: "))), 0);
    });
    connect(m_autoProcess, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        const bool ok = status == QProcess::NormalExit && code == 0;
        const QString out = QString::fromUtf8(m_autoProcess->readAllStandardOutput()).trimmed();
        const QString err = QString::fromUtf8(m_autoProcess->readAllStandardError()).trimmed();
        const QString message = ok ? out : tr("Auto-labeling failed: %1").arg(err.isEmpty() ? m_autoProcess->errorString() : err.section(QLatin1Char('\n'), -1));
        m_autoProcess->deleteLater();
        m_autoProcess = nullptr;
        updateActions();
        pollForChanges();
        Q_EMIT context()->statusMessage(message, 15000);
        Q_EMIT autoLabelFinished(ok, message);
    });
    m_autoProcess->start();
    Q_EMIT context()->statusMessage(tr("Auto-labeling %1: training a classifier on the human labels…").arg(m_job->name()), 0);
    return true;
}

void LabelingPanel::importLabels(int format)
{
    if (!m_job)
        return;
    const auto f = LabelFormat(format);
    const QString path = (f == LabelFormat::Yolo || f == LabelFormat::Voc)
        ? QFileDialog::getExistingDirectory(this, tr("Import Labels"), gui::StudioContext::dialogFolder())
        : QFileDialog::getOpenFileName(this, tr("Import Labels"), gui::StudioContext::dialogFolder(),
                                       f == LabelFormat::Coco ? tr("COCO JSON (*.json);;All files (*)") : tr("Manifests (*.manifest *.jsonl);;All files (*)"));
    if (path.isEmpty())
        return;
    gui::StudioContext::rememberDialogPath(path);
    const QString dir = m_job->dir();
    auto *watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher] {
        watcher->deleteLater();
        Q_EMIT context()->statusMessage(watcher->result(), 10000);
        pollForChanges();
    });
    watcher->setFuture(QtConcurrent::run([=]() -> QString {
        try {
            auto job = LabelingJob::openDir(dir);
            const ImportResult r = importFile(*job, f, path);
            return tr("Imported %1 labels (kept %2 human labels, %3 entries matched no image)").arg(r.imported).arg(r.keptExisting).arg(r.unmatched);
        } catch (const Error &e) {
            return tr("Nothing imported: %1").arg(e.message());
        }
    }));
}

void LabelingPanel::exportLabels(int format)
{
    if (!m_job)
        return;
    const auto f = LabelFormat(format);
    const QString suggested = QDir(m_job->dir()).filePath(f == LabelFormat::Manifest ? QStringLiteral("output.manifest")
                                                          : f == LabelFormat::Coco   ? QStringLiteral("coco.json")
                                                                                     : formatName(f));
    const QString path = (f == LabelFormat::Yolo || f == LabelFormat::Voc)
        ? QFileDialog::getExistingDirectory(this, tr("Export Labels Into"), m_job->dir())
        : QFileDialog::getSaveFileName(this, tr("Export Labels"), suggested);
    if (path.isEmpty())
        return;
    const QString dir = m_job->dir();
    auto *watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher] {
        watcher->deleteLater();
        Q_EMIT context()->statusMessage(watcher->result(), 10000);
    });
    watcher->setFuture(QtConcurrent::run([=]() -> QString {
        try {
            auto job = LabelingJob::openDir(dir);
            const int n = exportFile(*job, f, path);
            return tr("Exported %1 labeled images to %2").arg(n).arg(path);
        } catch (const Error &e) {
            return tr("Export failed: %1").arg(e.message());
        }
    }));
}

} // namespace cairn::panels
