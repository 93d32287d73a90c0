#include "debuggerconfigwidget.h"

#include "cairn/debugger/rule.h"
#include "cairn/debugger/tensordata.h"

#include <QFormLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonObject>
#include <QListWidget>
#include <QSpinBox>
#include <QTreeWidget>

namespace cairn::panels {

namespace {
constexpr int kStopColumn = 1;
}

DebuggerConfigWidget::DebuggerConfigWidget(QWidget *parent) : QGroupBox(tr("Debugger"), parent)
{
    setObjectName(QStringLiteral("debuggerConfig"));
    setCheckable(true);
    setChecked(false);
    setToolTip(tr("Save tensor statistics and histograms while training, and run rules on them beside the job"));
    auto *form = new QFormLayout(this);

    m_collections = new QListWidget(this);
    m_collections->setObjectName(QStringLiteral("collections"));
    m_collections->setFlow(QListView::LeftToRight);
    m_collections->setWrapping(true);
    m_collections->setResizeMode(QListView::Adjust);
    m_collections->setMaximumHeight(64);
    // Losses come from the job's metrics and labels only from the Python hook.
    for (const QString &name : debugger::collections::all()) {
        if (name == debugger::collections::losses || name == debugger::collections::labels)
            continue;
        auto *item = new QListWidgetItem(name, m_collections);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        const bool usual = name == debugger::collections::weights || name == debugger::collections::gradients;
        item->setCheckState(usual ? Qt::Checked : Qt::Unchecked);
    }
    form->addRow(tr("Collections:"), m_collections);

    m_interval = new QSpinBox(this);
    m_interval->setObjectName(QStringLiteral("collectEvery"));
    m_interval->setRange(1, 1000000);
    m_interval->setValue(100);
    m_interval->setSuffix(tr(" steps"));
    m_interval->setToolTip(tr("Save the collections every this many training steps (XGBoost: rounds)"));
    form->addRow(tr("Save every:"), m_interval);

    m_rules = new QTreeWidget(this);
    m_rules->setObjectName(QStringLiteral("rules"));
    m_rules->setRootIsDecorated(false);
    m_rules->setHeaderLabels({tr("Rule"), tr("Stop the job")});
    m_rules->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_rules->header()->setSectionResizeMode(kStopColumn, QHeaderView::ResizeToContents);
    m_rules->setMinimumHeight(140);
    for (const debugger::RuleInfo &info : debugger::ruleCatalogue()) {
        auto *item = new QTreeWidgetItem(m_rules, {info.name, QString()});
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        item->setCheckState(0, Qt::Unchecked);
        item->setCheckState(kStopColumn, Qt::Unchecked);
        item->setToolTip(0, info.description);
        item->setToolTip(kStopColumn, tr("Stop the job when %1 finds an issue (it is always reported)").arg(info.name));
    }
    form->addRow(tr("Rules:"), m_rules);
}

JobSpec::Debugger DebuggerConfigWidget::config() const
{
    JobSpec::Debugger config;
    if (!isChecked())
        return config;
    for (int i = 0; i < m_collections->count(); ++i)
        if (m_collections->item(i)->checkState() == Qt::Checked)
            config.collections << m_collections->item(i)->text();
    config.collections << m_otherCollections;
    config.interval = m_interval->value();
    // The same shape as `cairn train --rule NAME[:stop]`: notify always, stop when asked.
    for (int i = 0; i < m_rules->topLevelItemCount(); ++i) {
        const QTreeWidgetItem *item = m_rules->topLevelItem(i);
        if (item->checkState(0) != Qt::Checked)
            continue;
        QJsonArray actions{QStringLiteral("notify")};
        if (item->checkState(kStopColumn) == Qt::Checked)
            actions.append(QStringLiteral("stop"));
        config.rules.append(QJsonObject{{QStringLiteral("name"), item->text(0)},
                                        {QStringLiteral("parameters"), m_ruleParameters.value(item->text(0).toLower())},
                                        {QStringLiteral("actions"), actions}});
    }
    return config;
}

void DebuggerConfigWidget::setConfig(const JobSpec::Debugger &config)
{
    setChecked(!config.collections.isEmpty() || !config.rules.isEmpty());
    // Names as typed on the command line ("Weights", " gradients") tick their box too.
    QStringList wanted;
    m_otherCollections.clear();
    for (const QString &name : config.collections) {
        wanted << name.trimmed();
        if (m_collections->findItems(name.trimmed(), Qt::MatchFixedString).isEmpty())
            m_otherCollections << name.trimmed();
    }
    m_ruleParameters.clear();
    for (const QJsonValue &v : config.rules) {
        const QJsonObject rule = v.toObject();
        m_ruleParameters.insert(rule.value(QStringLiteral("name")).toString().toLower(), rule.value(QStringLiteral("parameters")).toObject());
    }
    for (int i = 0; i < m_collections->count(); ++i)
        m_collections->item(i)->setCheckState(wanted.contains(m_collections->item(i)->text(), Qt::CaseInsensitive) ? Qt::Checked
                                                                                                          : Qt::Unchecked);
    m_interval->setValue(config.interval > 0 ? config.interval : 100);
    for (int i = 0; i < m_rules->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_rules->topLevelItem(i);
        item->setCheckState(0, Qt::Unchecked);
        item->setCheckState(kStopColumn, Qt::Unchecked);
        for (const QJsonValue &v : config.rules) {
            const QJsonObject rule = v.toObject();
            if (rule.value(QStringLiteral("name")).toString().compare(item->text(0), Qt::CaseInsensitive) != 0)
                continue;
            item->setCheckState(0, Qt::Checked);
            if (rule.value(QStringLiteral("actions")).toArray().contains(QStringLiteral("stop")))
                item->setCheckState(kStopColumn, Qt::Checked);
        }
    }
}

} // namespace cairn::panels
