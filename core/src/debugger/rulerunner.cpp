#include "cairn/debugger/rulerunner.h"

#include "cairn/store/experimentstore.h"
#include "cairn/store/sqlitedatabase.h"

namespace cairn::debugger {

RuleRunner::RuleRunner(ExperimentStore &store, qint64 runId, const QList<RuleConfig> &rules)
    : m_store(store), m_tensors(store), m_data(store, m_tensors, runId), m_configs(rules)
{
    for (const RuleConfig &c : rules)
        m_rules.push_back(createRule(c.name, c.parameters));
}

QList<RuleResult> RuleRunner::evaluate(bool finished)
{
    auto evaluateAll = [&](bool end) {
        QList<RuleResult> out;
        for (size_t i = 0; i < m_rules.size(); ++i) {
            RuleResult r = m_rules[i]->evaluate(m_data, end);
            r.actions = m_configs.at(qsizetype(i)).actions;
            out << r;
        }
        return out;
    };
    QList<RuleResult> results;
    bool more = false;
    do {
        more = m_data.refresh(m_chunk);
        results = evaluateAll(false);
    } while (more);
    if (finished)
        results = evaluateAll(true);

    m_newlyFired.clear();
    for (qsizetype i = 0; i < results.size(); ++i) {
        const bool before = i < m_last.size() && m_last.at(i).status == RuleStatus::IssuesFound;
        if (results.at(i).status == RuleStatus::IssuesFound && !before)
            m_newlyFired << results.at(i);
    }
    if (m_save && !results.isEmpty()) {
        m_store.database().write([&] {
            for (qsizetype i = 0; i < results.size(); ++i) {
                const RuleResult &r = results.at(i);
                const bool same = i < m_last.size() && m_last.at(i).status == r.status && m_last.at(i).step == r.step
                    && m_last.at(i).message == r.message && m_last.at(i).evaluatedStep == r.evaluatedStep;
                if (!same)
                    m_tensors.saveRuleResult(m_data.runId(), r);
            }
        });
    }
    m_last = results;
    return results;
}

QList<RuleResult> RuleRunner::evaluateRun(ExperimentStore &store, qint64 runId, const QList<RuleConfig> &rules, bool save)
{
    QList<RuleConfig> configs = rules;
    if (configs.isEmpty())
        for (const RuleInfo &info : ruleCatalogue()) {
            RuleConfig c;
            c.name = info.name;
            c.actions.clear();
            configs << c;
        }
    RuleRunner runner(store, runId, configs);
    runner.setSaveResults(save);
    // A run that is still going (a job, a notebook) gets InProgress for what has not fired.
    const QList<Run> runs = store.runsByIds({runId});
    return runner.evaluate(runs.isEmpty() || isTerminal(runs.first().status));
}

} // namespace cairn::debugger
