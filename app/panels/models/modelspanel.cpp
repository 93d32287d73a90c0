#include "modelspanel.h"

#include "curveplot.h"
#include "displaytext.h"
#include "endpointsview.h"
#include "studiocontext.h"

#include "cairn/registry/modelregistry.h"
#include "cairn/util/error.h"
#include "cairn/workspace/workspace.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollArea>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace cairn::panels {

namespace {
enum TreeColumn { NameColumn, ApprovalColumn, AliasesColumn, CreatedColumn };
constexpr int kRefRole = Qt::UserRole + 1; // "NAME" on a model, "NAME:VERSION" on a version

QString aliasText(const QStringList &aliases)
{
    QStringList out;
    for (const QString &a : aliases)
        out << QLatin1Char('@') + a;
    return out.join(QLatin1Char(' '));
}

QString approvalText(const QString &approval)
{
    if (approval == QLatin1String("Approved"))
        return ModelsPanel::tr("Approved");
    if (approval == QLatin1String("Rejected"))
        return ModelsPanel::tr("Rejected");
    if (approval == QLatin1String("PendingManualApproval"))
        return ModelsPanel::tr("Pending approval");
    return approval;
}

QString sectionText(const QString &section)
{
    if (section == QLatin1String("attributes"))
        return ModelsPanel::tr("Attributes");
    if (section == QLatin1String("hyperparameters"))
        return ModelsPanel::tr("Hyperparameters");
    if (section == QLatin1String("metrics"))
        return ModelsPanel::tr("Metrics");
    if (section == QLatin1String("data"))
        return ModelsPanel::tr("Data");
    if (section == QLatin1String("tags"))
        return ModelsPanel::tr("Tags");
    return section;
}

QColor approvalColor(const QString &approval)
{
    if (approval == QLatin1String("Approved"))
        return QColor(0x2c, 0xa0, 0x2c);
    if (approval == QLatin1String("Rejected"))
        return QColor(0xd6, 0x27, 0x28);
    return QColor(0xff, 0x7f, 0x0e);
}

QString jsonValueText(const QJsonValue &v)
{
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 6);
    if (v.isString())
        return v.toString();
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    return {};
}

QString htmlTable(const QString &title, const QJsonObject &o)
{
    if (o.isEmpty())
        return {};
    QString html = QStringLiteral("<p><b>%1</b></p><table cellspacing=0 cellpadding=2>").arg(title.toHtmlEscaped());
    for (auto it = o.begin(); it != o.end(); ++it)
        html += QStringLiteral("<tr><td>%1&nbsp;&nbsp;</td><td><tt>%2</tt></td></tr>").arg(it.key().toHtmlEscaped(), jsonValueText(it.value()).toHtmlEscaped());
    return html + QStringLiteral("</table>");
}
} // namespace

ModelsPanel::ModelsPanel(gui::StudioContext *context, QWidget *parent)
    : gui::Panel(context, parent), m_tree(new QTreeWidget(this)), m_tabs(new QTabWidget(this)), m_message(new QLabel(this)),
      m_header(new QLabel(this)), m_lineage(new QLabel(this)), m_channels(new QTableWidget(this)), m_comment(new QLineEdit(this)),
      m_approve(new QPushButton(tr("Approve"), this)), m_reject(new QPushButton(tr("Reject"), this)), m_trail(new QTreeWidget(this)),
      m_alias(new QLineEdit(this)), m_setAlias(new QPushButton(tr("Set alias"), this)), m_removeAlias(new QPushButton(tr("Remove alias"), this)),
      m_deploy(new QPushButton(tr("Deploy…"), this)), m_delete(new QPushButton(tr("Delete version"), this)), m_cardInfo(new QLabel(this)),
      m_saveCard(new QPushButton(tr("Save card"), this)), m_exportCard(new QPushButton(tr("Export…"), this)), m_trendMetric(new QComboBox(this)),
      m_trend(new gui::CurvePlot(this)), m_onlyDiff(new QCheckBox(tr("Only what differs"), this)), m_diff(new QTableWidget(this)),
      m_endpoints(new EndpointsView(context, this))
{
    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(4, 4, 4, 4);
    auto *bar = new QHBoxLayout;
    auto *registerButton = new QPushButton(tr("Register run…"), this);
    registerButton->setObjectName(QStringLiteral("registerRun"));
    registerButton->setToolTip(tr("Register the model of a run (training, the best tuning trial, the AutoML winner) as a new version"));
    bar->addWidget(registerButton);
    m_message->setObjectName(QStringLiteral("modelsMessage"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    bar->addWidget(m_message, 1);
    v->addLayout(bar);

    auto *split = new QSplitter(Qt::Horizontal, this);
    m_tree->setObjectName(QStringLiteral("modelsTree"));
    m_tree->setHeaderLabels({tr("Model / version"), tr("Approval"), tr("Aliases"), tr("Registered")});
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    split->addWidget(m_tree);

    // Version: lineage, approval, aliases.
    auto *versionPage = new QWidget;
    auto *vp = new QVBoxLayout(versionPage);
    m_header->setObjectName(QStringLiteral("versionHeader"));
    m_header->setTextFormat(Qt::RichText);
    m_header->setWordWrap(true);
    vp->addWidget(m_header);
    m_lineage->setObjectName(QStringLiteral("lineage"));
    m_lineage->setTextFormat(Qt::RichText);
    m_lineage->setWordWrap(true);
    m_lineage->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_lineage->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    connect(m_lineage, &QLabel::linkActivated, this, [this](const QString &link) {
        if (link.startsWith(QStringLiteral("run:")))
            Q_EMIT this->context()->showRunRequested(link.mid(4));
    });
    auto *scroll = new QScrollArea(versionPage);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(m_lineage);
    m_channels->setObjectName(QStringLiteral("channels"));
    m_channels->setColumnCount(4);
    m_channels->setHorizontalHeaderLabels({tr("Channel"), tr("Type"), tr("SHA-256"), tr("Path")});
    m_channels->verticalHeader()->hide();
    m_channels->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_channels->horizontalHeader()->setStretchLastSection(true);
    auto *lineageSplit = new QSplitter(Qt::Vertical, versionPage);
    lineageSplit->addWidget(scroll);
    lineageSplit->addWidget(m_channels);
    vp->addWidget(lineageSplit, 1);

    auto *approvalBox = new QGroupBox(tr("Approval"), versionPage);
    auto *ap = new QVBoxLayout(approvalBox);
    auto *approveRow = new QHBoxLayout;
    m_comment->setObjectName(QStringLiteral("approvalComment"));
    m_comment->setPlaceholderText(tr("comment (why), kept in the trail"));
    m_approve->setObjectName(QStringLiteral("approve"));
    m_reject->setObjectName(QStringLiteral("reject"));
    approveRow->addWidget(m_comment, 1);
    approveRow->addWidget(m_approve);
    approveRow->addWidget(m_reject);
    ap->addLayout(approveRow);
    m_trail->setObjectName(QStringLiteral("approvalTrail"));
    m_trail->setHeaderLabels({tr("Status"), tr("By"), tr("When"), tr("Comment")});
    m_trail->setRootIsDecorated(false);
    m_trail->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_trail->setMaximumHeight(110);
    ap->addWidget(m_trail);
    vp->addWidget(approvalBox);

    auto *actions = new QHBoxLayout;
    m_alias->setObjectName(QStringLiteral("alias"));
    m_alias->setPlaceholderText(tr("alias, e.g. champion"));
    m_setAlias->setObjectName(QStringLiteral("setAlias"));
    m_setAlias->setToolTip(tr("Point the alias at this version (moving it from another one)"));
    m_removeAlias->setObjectName(QStringLiteral("removeAlias"));
    m_deploy->setObjectName(QStringLiteral("deploy"));
    m_deploy->setToolTip(tr("Start an endpoint that serves this version"));
    m_delete->setObjectName(QStringLiteral("deleteVersion"));
    actions->addWidget(m_alias);
    actions->addWidget(m_setAlias);
    actions->addWidget(m_removeAlias);
    actions->addStretch(1);
    actions->addWidget(m_deploy);
    actions->addWidget(m_delete);
    vp->addLayout(actions);
    m_tabs->addTab(versionPage, tr("Version"));

    // Model card.
    auto *cardPage = new QWidget;
    auto *cp = new QVBoxLayout(cardPage);
    const QStringList cardLabels{tr("Intended use"), tr("Training data"), tr("Metrics"), tr("Limitations")};
    const QStringList cardHints{tr("Who should use the model, for what, and what it is not for"),
                                tr("What the data is, how it was collected and split (the channels and their hashes are added from the lineage)"),
                                tr("Notes on the metrics (the values are added from the lineage)"),
                                tr("Known weaknesses, populations it was not tested on, risks")};
    auto *cardForm = new QFormLayout;
    for (int i = 0; i < 4; ++i) {
        m_card[i] = new QPlainTextEdit(cardPage);
        m_card[i]->setObjectName(QStringLiteral("card%1").arg(i));
        m_card[i]->setPlaceholderText(cardHints[i]);
        m_card[i]->setTabChangesFocus(true);
        cardForm->addRow(cardLabels[i], m_card[i]);
    }
    cp->addLayout(cardForm, 1);
    auto *cardButtons = new QHBoxLayout;
    m_cardInfo->setObjectName(QStringLiteral("cardInfo"));
    cardButtons->addWidget(m_cardInfo, 1);
    m_saveCard->setObjectName(QStringLiteral("saveCard"));
    m_exportCard->setObjectName(QStringLiteral("exportCard"));
    m_exportCard->setToolTip(tr("Write the card with the lineage's facts as Markdown or JSON"));
    cardButtons->addWidget(m_saveCard);
    cardButtons->addWidget(m_exportCard);
    cp->addLayout(cardButtons);
    m_tabs->addTab(cardPage, tr("Model card"));

    // Compare versions.
    auto *comparePage = new QWidget;
    auto *cmp = new QVBoxLayout(comparePage);
    auto *trendRow = new QHBoxLayout;
    m_trendMetric->setObjectName(QStringLiteral("trendMetric"));
    m_trendMetric->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    trendRow->addWidget(new QLabel(tr("Metric over versions"), comparePage));
    trendRow->addWidget(m_trendMetric);
    trendRow->addStretch(1);
    m_onlyDiff->setObjectName(QStringLiteral("onlyDifferences"));
    m_onlyDiff->setChecked(true);
    trendRow->addWidget(m_onlyDiff);
    cmp->addLayout(trendRow);
    m_trend->setObjectName(QStringLiteral("metricTrend"));
    m_trend->setLabels(tr("version"), QString());
    m_trend->setEmptyMessage(tr("No version of this model has metrics"));
    m_trend->setMinimumHeight(160);
    m_diff->setObjectName(QStringLiteral("versionDiff"));
    m_diff->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_diff->verticalHeader()->hide();
    m_diff->setAlternatingRowColors(true);
    auto *compareSplit = new QSplitter(Qt::Vertical, comparePage);
    compareSplit->addWidget(m_trend);
    compareSplit->addWidget(m_diff);
    cmp->addWidget(compareSplit, 1);
    m_tabs->addTab(comparePage, tr("Compare versions"));

    m_tabs->addTab(m_endpoints, tr("Endpoints"));
    m_tabs->setObjectName(QStringLiteral("modelsTabs"));
    split->addWidget(m_tabs);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 3);
    split->setSizes({330, 950});
    v->addWidget(split, 1);

    connect(registerButton, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const QString run = QInputDialog::getText(this, tr("Register a run's model"), tr("Run id (or its first characters):"), QLineEdit::Normal, {}, &ok).trimmed();
        if (ok && !run.isEmpty())
            registerRun(run);
    });
    connect(m_tree, &QTreeWidget::currentItemChanged, this, &ModelsPanel::showSelected);
    connect(m_approve, &QPushButton::clicked, this, [this] { approveSelected(true); });
    connect(m_reject, &QPushButton::clicked, this, [this] { approveSelected(false); });
    connect(m_setAlias, &QPushButton::clicked, this, [this] {
        const QString ref = selectedVersion();
        try {
            ModelRegistry(this->context()->workspace()).setAlias(ref.section(QLatin1Char(':'), 0, 0), m_alias->text().trimmed(), ref.section(QLatin1Char(':'), 1).toInt());
            message(tr("@%1 now points at %2").arg(m_alias->text().trimmed(), ref));
            this->context()->notifyStoreChanged();
        } catch (const Error &e) {
            message(e.message(), true);
        }
    });
    connect(m_removeAlias, &QPushButton::clicked, this, [this] {
        try {
            ModelRegistry(this->context()->workspace()).deleteAlias(selectedVersion().section(QLatin1Char(':'), 0, 0), m_alias->text().trimmed());
            message(tr("@%1 removed").arg(m_alias->text().trimmed()));
            this->context()->notifyStoreChanged();
        } catch (const Error &e) {
            message(e.message(), true);
        }
    });
    connect(m_deploy, &QPushButton::clicked, this, [this] { deploy(selectedVersion()); });
    connect(m_delete, &QPushButton::clicked, this, [this] {
        const QString ref = selectedVersion();
        if (ref.isEmpty()
            || QMessageBox::question(this, tr("Delete version"), tr("Delete %1 with its files and aliases? This cannot be undone.").arg(ref)) != QMessageBox::Yes)
            return;
        try {
            ModelRegistry(this->context()->workspace()).deleteVersion(ref);
            message(tr("%1 deleted").arg(ref));
            this->context()->notifyStoreChanged();
        } catch (const Error &e) {
            message(e.message(), true);
        }
    });
    connect(m_saveCard, &QPushButton::clicked, this, &ModelsPanel::saveCard);
    connect(m_exportCard, &QPushButton::clicked, this, [this] {
        const QString ref = selectedVersion();
        if (ref.isEmpty())
            return;
        const QString path = QFileDialog::getSaveFileName(this, tr("Export model card"),
                                                          QDir(this->context()->workspacePath()).filePath(QString(ref).replace(QLatin1Char(':'), QLatin1Char('-')) + QStringLiteral(".md")),
                                                          tr("Markdown (*.md);;JSON (*.json)"));
        if (!path.isEmpty()) {
            exportCard(path);
        }
    });
    connect(m_trendMetric, &QComboBox::currentIndexChanged, this, &ModelsPanel::updateTrend);
    connect(m_onlyDiff, &QCheckBox::toggled, this, [this] {
        const QString name = m_compared;
        m_compared.clear();
        showCompare(name);
    });
    connect(context, &gui::StudioContext::workspaceChanged, this, &ModelsPanel::refresh);
    connect(context, &gui::StudioContext::storeChanged, this, &ModelsPanel::refresh);
    connect(context, &gui::StudioContext::registerModelRequested, this, [this](const QString &run) {
        raiseDock();
        registerRun(run);
    });
    connect(context, &gui::StudioContext::deployModelRequested, this, [this](const QString &ref) {
        raiseDock();
        deploy(ref);
    });
    refresh();
}

void ModelsPanel::message(const QString &text, bool error)
{
    m_message->setStyleSheet(error ? QStringLiteral("color: #d62728") : QString());
    m_message->setText(text);
    if (!error)
        Q_EMIT context()->statusMessage(text);
}

void ModelsPanel::raiseDock()
{
    for (QWidget *w = parentWidget(); w; w = w->parentWidget())
        if (auto *dock = qobject_cast<QDockWidget *>(w)) {
            dock->show();
            dock->raise();
            return;
        }
}

void ModelsPanel::refresh()
{
    if (!context()->hasWorkspace())
        return;
    QString current = m_tree->currentItem() ? m_tree->currentItem()->data(NameColumn, kRefRole).toString() : QString();
    QList<RegisteredModel> models;
    ModelRegistry registry(context()->workspace());
    try {
        models = registry.models();
    } catch (const Error &e) {
        message(e.message(), true);
        return;
    }
    // The store changes whenever any job logs a metric: rebuild only when the registry changed.
    QList<QList<ModelVersion>> allVersions;
    QString signature;
    for (const RegisteredModel &m : models) {
        QList<ModelVersion> versions;
        try {
            versions = registry.versions(m.name);
        } catch (const Error &) {
        }
        signature += m.name + QLatin1Char('\n');
        for (const ModelVersion &ver : versions)
            signature += QStringLiteral("%1 %2 %3 %4\n").arg(ver.version).arg(ver.approval, ver.aliases.join(QLatin1Char(',')), ver.description);
        allVersions << versions;
    }
    if (signature == m_signature && !m_signature.isEmpty())
        return;
    m_signature = signature;
    QSet<QString> expanded;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i)
        if (m_tree->topLevelItem(i)->isExpanded())
            expanded << m_tree->topLevelItem(i)->data(NameColumn, kRefRole).toString();
    {
        const QSignalBlocker block(m_tree);
        m_tree->clear();
        for (qsizetype mi = 0; mi < models.size(); ++mi) {
            const RegisteredModel &m = models[mi];
            QStringList aliases;
            for (auto it = m.aliases.begin(); it != m.aliases.end(); ++it)
                aliases << QStringLiteral("%1→%2").arg(it.key()).arg(it.value());
            auto *top = new QTreeWidgetItem(m_tree, {m.name, approvalText(m.latestApproval), aliasText(aliases),
                                                     gui::DisplayText::dateTime(m.updatedAt)});
            top->setData(NameColumn, kRefRole, m.name);
            top->setToolTip(NameColumn, tr("%n version(s), latest %1", nullptr, m.versionCount).arg(m.latestVersion));
            QFont bold = top->font(NameColumn);
            bold.setBold(true);
            top->setFont(NameColumn, bold);
            const QList<ModelVersion> &versions = allVersions[mi];
            for (qsizetype i = versions.size() - 1; i >= 0; --i) { // newest first
                const ModelVersion &ver = versions[i];
                auto *item = new QTreeWidgetItem(top, {tr("version %1").arg(ver.version), approvalText(ver.approval), aliasText(ver.aliases),
                                                       gui::DisplayText::dateTime(ver.createdAt)});
                item->setData(NameColumn, kRefRole, QStringLiteral("%1:%2").arg(ver.name).arg(ver.version));
                item->setForeground(ApprovalColumn, approvalColor(ver.approval));
                item->setToolTip(NameColumn, ver.runUuid.isEmpty() ? ver.sourceRef : tr("from run %1").arg(ver.runUuid));
            }
            top->setExpanded(expanded.contains(m.name) || models.size() <= 3);
        }
    }
    if (current.isEmpty() && !models.isEmpty())
        current = QStringLiteral("%1:%2").arg(models.first().name).arg(models.first().latestVersion);
    m_shown.clear(); // show again: approval, aliases or the trail may have changed
    m_compared.clear();
    if (!selectVersion(current)) {
        showVersion(QString());
        showCompare(QString());
    }
}

bool ModelsPanel::selectVersion(const QString &ref)
{
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem *top = m_tree->topLevelItem(i);
        if (top->data(NameColumn, kRefRole).toString() == ref) {
            m_tree->setCurrentItem(top);
            showSelected();
            return true;
        }
        for (int j = 0; j < top->childCount(); ++j)
            if (top->child(j)->data(NameColumn, kRefRole).toString() == ref) {
                top->setExpanded(true);
                m_tree->setCurrentItem(top->child(j));
                showSelected();
                return true;
            }
    }
    return false;
}

QString ModelsPanel::selectedVersion() const
{
    const QString ref = m_tree->currentItem() ? m_tree->currentItem()->data(NameColumn, kRefRole).toString() : QString();
    return ref.contains(QLatin1Char(':')) ? ref : QString();
}

void ModelsPanel::showSelected()
{
    const QString ref = m_tree->currentItem() ? m_tree->currentItem()->data(NameColumn, kRefRole).toString() : QString();
    const QString name = ref.section(QLatin1Char(':'), 0, 0);
    QString version = ref;
    if (!ref.isEmpty() && !ref.contains(QLatin1Char(':')) && m_tree->currentItem()->childCount() > 0)
        version = m_tree->currentItem()->child(0)->data(NameColumn, kRefRole).toString(); // a model: its latest version
    if (version != m_shown)
        showVersion(version);
    if (name != m_compared)
        showCompare(name);
}

void ModelsPanel::showVersion(const QString &ref)
{
    m_shown = ref;
    const bool has = !ref.isEmpty();
    for (QWidget *w : std::initializer_list<QWidget *>{m_approve, m_reject, m_comment, m_alias, m_setAlias, m_removeAlias, m_deploy, m_delete, m_saveCard,
                                                       m_exportCard})
        w->setEnabled(has);
    m_trail->clear();
    m_channels->setRowCount(0);
    m_channels->setVisible(has);
    // A card being edited survives a refresh of the same version.
    bool editing = m_card[0]->property("ref").toString() == ref;
    bool modified = false;
    for (QPlainTextEdit *e : m_card)
        modified = modified || e->document()->isModified();
    editing = editing && modified;
    if (!editing) {
        for (QPlainTextEdit *e : m_card)
            e->clear();
        m_cardInfo->clear();
    }
    if (!has) {
        m_header->setText(tr("<p>No registered model yet. Register a run's model with <b>Register run…</b>, from the Experiments "
                             "panel's run menu, from the AutoML results, or with <tt>cairn models register NAME --run RUN</tt>.</p>"));
        m_lineage->clear();
        return;
    }
    try {
        ModelRegistry registry(context()->workspace());
        const ModelVersion v = registry.version(ref);
        QStringList serving;
        for (const EndpointUse &e : registry.endpointsServing(v.name, v.version))
            serving << QStringLiteral("%1 (%2:%3)").arg(e.endpoint, e.host).arg(e.port);
        m_header->setText(QStringLiteral("<h3>%1 <span style='color:%2'>%3</span></h3><p>%4</p>")
                              .arg(ref.toHtmlEscaped(), approvalColor(v.approval).name(), approvalText(v.approval).toHtmlEscaped(),
                                   tr("Registered by %1 on %2%3%4%5")
                                       .arg(v.createdBy.toHtmlEscaped(), gui::DisplayText::dateTime(v.createdAt))
                                       .arg(v.aliases.isEmpty() ? QString() : tr("; aliases %1").arg(aliasText(v.aliases)))
                                       .arg(v.description.isEmpty() ? QString() : QStringLiteral("; ") + v.description.toHtmlEscaped())
                                       .arg(serving.isEmpty() ? QString() : tr("; served by %1").arg(serving.join(QStringLiteral(", ")).toHtmlEscaped()))));
        const QJsonObject l = v.lineage;
        QString html;
        if (!v.runUuid.isEmpty()) {
            const QJsonObject run = l.value(QStringLiteral("run")).toObject();
            html += tr("<p>From run <a href='run:%1'>%2</a> (%3) of experiment %4</p>")
                        .arg(v.runUuid, run.value(QStringLiteral("name")).toString().toHtmlEscaped(), v.runUuid.left(8),
                             run.value(QStringLiteral("experiment")).toString().toHtmlEscaped());
        } else {
            html += tr("<p>From the folder <tt>%1</tt></p>").arg(v.sourceRef.toHtmlEscaped());
        }
        QJsonObject facts;
        for (const char *key : {"algorithm", "task", "target", "cairn_version", "model_sha256"})
            if (l.contains(QLatin1String(key)))
                facts.insert(QLatin1String(key), l.value(QLatin1String(key)));
        html += htmlTable(tr("Model"), facts);
        html += htmlTable(tr("Metrics"), l.value(QStringLiteral("metrics")).toObject());
        html += htmlTable(tr("Hyperparameters"), l.value(QStringLiteral("hyperparameters")).toObject());
        if (!v.tags.isEmpty()) {
            QJsonObject tags;
            for (auto it = v.tags.begin(); it != v.tags.end(); ++it)
                tags.insert(it.key(), it.value());
            html += htmlTable(tr("Tags"), tags);
        }
        if (!registry.filesIntact(v))
            html += tr("<p style='color:#d62728'>The version's files no longer match the SHA-256 recorded at registration.</p>");
        m_lineage->setText(html);
        const QJsonArray channels = l.value(QStringLiteral("channels")).toArray();
        m_channels->setRowCount(int(channels.size()));
        for (int i = 0; i < channels.size(); ++i) {
            const QJsonObject c = channels[i].toObject();
            const QStringList cells{c.value(QStringLiteral("name")).toString(), c.value(QStringLiteral("type")).toString(),
                                    c.value(QStringLiteral("sha256")).toString(), c.value(QStringLiteral("path")).toString()};
            for (int col = 0; col < 4; ++col)
                m_channels->setItem(i, col, new QTableWidgetItem(cells[col]));
        }
        m_channels->resizeColumnsToContents();
        m_channels->setMaximumHeight(m_channels->horizontalHeader()->height() + m_channels->verticalHeader()->length() + 2 * m_channels->frameWidth() + 4);
        for (const ApprovalEvent &e : registry.approvalTrail(ref)) {
            auto *item = new QTreeWidgetItem(m_trail, {approvalText(e.status), e.by, gui::DisplayText::dateTime(e.time), e.comment});
            item->setForeground(0, approvalColor(e.status));
        }
        if (!editing) {
            const ModelCardText card = registry.card(ref);
            const QString texts[4] = {card.intendedUse, card.trainingData, card.metrics, card.limitations};
            for (int i = 0; i < 4; ++i) {
                m_card[i]->setPlainText(texts[i]);
                m_card[i]->document()->setModified(false);
            }
            m_card[0]->setProperty("ref", ref);
            m_cardInfo->setText(card.updatedAt > 0 ? tr("Last saved by %1 on %2").arg(card.updatedBy, gui::DisplayText::dateTime(card.updatedAt))
                                                   : tr("Not written yet"));
        }
    } catch (const Error &e) {
        message(e.message(), true);
    }
}

void ModelsPanel::showCompare(const QString &name)
{
    m_compared = name;
    m_diff->clear();
    m_diff->setRowCount(0);
    m_diff->setColumnCount(0);
    const QSignalBlocker block(m_trendMetric);
    const QString metric = m_trendMetric->currentText();
    m_trendMetric->clear();
    if (name.isEmpty()) {
        m_trend->setCurves({});
        return;
    }
    try {
        const VersionComparison cmp = ModelRegistry(context()->workspace()).compare(name);
        m_trendVersions = cmp.versions;
        QStringList headers{tr("Section"), tr("Key")};
        for (int v : cmp.versions)
            headers << tr("v%1").arg(v);
        m_diff->setColumnCount(int(headers.size()));
        m_diff->setHorizontalHeaderLabels(headers);
        for (const VersionComparison::Row &row : cmp.rows) {
            if (row.section == QLatin1String("metrics"))
                m_trendMetric->addItem(row.key);
            if (m_onlyDiff->isChecked() && !row.differs)
                continue;
            const int r = m_diff->rowCount();
            m_diff->insertRow(r);
            m_diff->setItem(r, 0, new QTableWidgetItem(sectionText(row.section)));
            m_diff->setItem(r, 1, new QTableWidgetItem(row.key));
            for (int i = 0; i < row.values.size(); ++i) {
                auto *item = new QTableWidgetItem(row.values[i]);
                if (row.differs)
                    item->setBackground(QColor(255, 200, 0, 50));
                m_diff->setItem(r, 2 + i, item);
            }
        }
        m_diff->resizeColumnsToContents();
        for (int c = 2; c < m_diff->columnCount(); ++c) // hashes and run ids would push the other versions out of sight
            m_diff->setColumnWidth(c, std::min(m_diff->columnWidth(c), 240));
        const int keep = m_trendMetric->findText(metric);
        int pick = keep >= 0 ? keep : m_trendMetric->findText(QStringLiteral("validation."), Qt::MatchStartsWith);
        m_trendMetric->setCurrentIndex(pick >= 0 ? pick : 0);
    } catch (const Error &e) {
        message(e.message(), true);
    }
    updateTrend();
}

void ModelsPanel::updateTrend()
{
    const QString key = m_trendMetric->currentText();
    if (m_compared.isEmpty() || key.isEmpty()) {
        m_trend->setCurves({});
        return;
    }
    try {
        const VersionComparison cmp = ModelRegistry(context()->workspace()).compare(m_compared);
        gui::CurvePlot::Curve curve{key, {}, {}};
        if (const VersionComparison::Row *row = cmp.metric(key))
            for (int i = 0; i < row->values.size() && i < cmp.versions.size(); ++i) {
                bool ok = false;
                const double y = row->values[i].toDouble(&ok);
                if (ok) {
                    curve.x << cmp.versions[i];
                    curve.y << y;
                }
            }
        m_trend->setLabels(tr("version"), key);
        m_trend->setCurves({curve});
    } catch (const Error &e) {
        message(e.message(), true);
    }
}

bool ModelsPanel::approveSelected(bool approve)
{
    const QString ref = selectedVersion();
    if (ref.isEmpty())
        return false;
    try {
        ModelRegistry(context()->workspace()).setApproval(ref, approve ? Approval::Approved : Approval::Rejected, ModelRegistry::currentUser(), m_comment->text().trimmed());
        m_comment->clear();
        message(approve ? tr("%1 approved").arg(ref) : tr("%1 rejected").arg(ref));
        context()->notifyStoreChanged();
        refresh();
        return true;
    } catch (const Error &e) {
        message(e.message(), true);
        return false;
    }
}

bool ModelsPanel::saveCard()
{
    const QString ref = selectedVersion();
    if (ref.isEmpty())
        return false;
    ModelCardText card;
    card.intendedUse = m_card[0]->toPlainText();
    card.trainingData = m_card[1]->toPlainText();
    card.metrics = m_card[2]->toPlainText();
    card.limitations = m_card[3]->toPlainText();
    card.updatedBy = ModelRegistry::currentUser();
    try {
        ModelRegistry(context()->workspace()).setCard(ref, card);
        message(tr("The card of %1 is saved").arg(ref));
        m_cardInfo->setText(tr("Saved by %1").arg(card.updatedBy));
        for (QPlainTextEdit *e : m_card)
            e->document()->setModified(false);
        context()->notifyStoreChanged();
        return true;
    } catch (const Error &e) {
        message(e.message(), true);
        return false;
    }
}

bool ModelsPanel::exportCard(const QString &path)
{
    const QString ref = selectedVersion();
    if (ref.isEmpty())
        return false;
    try {
        ModelRegistry registry(context()->workspace());
        const QByteArray text = path.endsWith(QStringLiteral(".json"), Qt::CaseInsensitive)
                                    ? QJsonDocument(registry.cardJson(ref)).toJson(QJsonDocument::Indented)
                                    : registry.cardMarkdown(ref).toUtf8();
        QSaveFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(text) != text.size() || !f.commit())
            throw Error(tr("cannot write %1: %2").arg(path, f.errorString()));
        message(tr("The card of %1 is in %2").arg(ref, path));
        return true;
    } catch (const Error &e) {
        message(e.message(), true);
        return false;
    }
}

void ModelsPanel::registerRun(const QString &runUuid)
{
    QStringList names;
    try {
        for (const RegisteredModel &m : ModelRegistry(context()->workspace()).models())
            names << m.name;
    } catch (const Error &) {
    }
    bool ok = false;
    const QString name = QInputDialog::getItem(this, tr("Register model"),
                                               tr("Register the model of run %1 as a new version of (an existing or a new name):").arg(runUuid.left(8)), names,
                                               0, true, &ok)
                             .trimmed();
    if (ok && !name.isEmpty())
        registerRunAs(runUuid, name);
}

QString ModelsPanel::registerRunAs(const QString &runUuid, const QString &name)
{
    try {
        const ModelVersion v = ModelRegistry(context()->workspace()).registerRun(name, runUuid);
        const QString ref = QStringLiteral("%1:%2").arg(v.name).arg(v.version);
        message(tr("Registered %1 from run %2; it waits for approval").arg(ref, v.runUuid.left(8)));
        context()->notifyStoreChanged();
        refresh();
        selectVersion(ref);
        return ref;
    } catch (const Error &e) {
        message(e.message(), true);
        return {};
    }
}

void ModelsPanel::deploy(const QString &ref)
{
    m_endpoints->setModelReference(ref);
    m_tabs->setCurrentWidget(m_endpoints);
    if (!ref.isEmpty())
        message(tr("Pick a port and press Start endpoint to serve %1").arg(ref));
}

} // namespace cairn::panels
