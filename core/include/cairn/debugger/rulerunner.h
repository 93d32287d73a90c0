#pragma once

#include "cairn/debugger/rule.h"
#include "cairn/debugger/rundata.h"
#include "cairn/debugger/tensorstore.h"

#include <memory>
#include <vector>

namespace cairn {
class ExperimentStore;
}

namespace cairn::debugger {

/// Evaluates a set of rules on one run from what the store holds: repeatedly while a job
/// runs (each evaluation reads only what was written since the previous one), or once on any
/// finished run, including runs logged from Python. Results are saved to the store
/// (debug_rule_results), where the GUI and the CLI read them.
class RuleRunner
{
public:
    /// Throws cairn::Error for an unknown rule or parameter.
    RuleRunner(ExperimentStore &store, qint64 runId, const QList<RuleConfig> &rules);

    /// Loads the new data and evaluates every rule. finished: the run has ended, so rules that
    /// did not fire say NoIssuesFound (or Error when their data is missing).
    QList<RuleResult> evaluate(bool finished);
    /// Results that turned IssuesFound in the last evaluate().
    const QList<RuleResult> &newlyFired() const { return m_newlyFired; }
    const QList<RuleConfig> &rules() const { return m_configs; }
    void setSaveResults(bool save) { m_save = save; }
    /// Samples loaded per tensor per step of the walk (bounds memory on long runs).
    void setChunk(int samples) { m_chunk = std::max(1, samples); }
    RunData &data() { return m_data; }

    /// Evaluates rules afterwards on a whole run (every rule of the catalogue when empty).
    static QList<RuleResult> evaluateRun(ExperimentStore &store, qint64 runId, const QList<RuleConfig> &rules = {},
                                         bool save = true);

private:
    ExperimentStore &m_store;
    TensorStore m_tensors;
    RunData m_data;
    QList<RuleConfig> m_configs;
    std::vector<std::unique_ptr<Rule>> m_rules;
    QList<RuleResult> m_last;
    QList<RuleResult> m_newlyFired;
    bool m_save = true;
    int m_chunk = 1000;
};

} // namespace cairn::debugger
