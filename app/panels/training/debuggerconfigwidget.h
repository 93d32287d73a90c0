#pragma once

#include "cairn/jobs/jobspec.h"

#include <QGroupBox>
#include <QHash>
#include <QJsonObject>

class QListWidget;
class QSpinBox;
class QTreeWidget;

namespace cairn::panels {

/// The debugger part of a training job: which collections to save and how often, and which
/// rules run beside the job (each can stop it when it fires). Unchecked: nothing is collected.
class DebuggerConfigWidget : public QGroupBox
{
    Q_OBJECT
public:
    explicit DebuggerConfigWidget(QWidget *parent = nullptr);

    JobSpec::Debugger config() const;
    void setConfig(const JobSpec::Debugger &config);

private:
    QListWidget *m_collections;
    QSpinBox *m_interval;
    QTreeWidget *m_rules;
    /// What setConfig() got that the widget does not show: collections outside the list (losses,
    /// labels) and each rule's parameters, given back by config() so that a cloned job keeps them.
    QStringList m_otherCollections;
    QHash<QString, QJsonObject> m_ruleParameters;
};

} // namespace cairn::panels
