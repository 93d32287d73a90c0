#pragma once

#include "panel.h"

#include "cairn/debugger/rule.h"
#include "cairn/debugger/tensordata.h"

#include <QFutureWatcher>
#include <QHash>

class QComboBox;
class QLabel;
class QPushButton;
class QSlider;
class QTabWidget;
class QTreeWidget;
class QTreeWidgetItem;

namespace cairn::gui {
class CurvePlot;
}

namespace cairn::panels {

class HistogramHeatmap;
class OffsetHistogramPlot;

/// The Debugger panel: pick a run (live or finished) and its tensors; a tensor's histograms
/// over steps as a heatmap and as TensorBoard-style offset histograms with a step slider;
/// reductions (mean, norms, zeros, …) as curves; the rules with their status, where a click
/// jumps to the step where a rule fired; the same tensor in a second run for comparison.
class DebuggerPanel : public gui::Panel
{
    Q_OBJECT
public:
    explicit DebuggerPanel(gui::StudioContext *context, QWidget *parent = nullptr);
    ~DebuggerPanel() override;

    QString panelId() const override { return QStringLiteral("debugger"); }
    QString title() const override { return tr("Debugger"); }

    /// Shows a run (by uuid); false if it is not in the list.
    bool selectRun(const QString &uuid);
    bool selectCompareRun(const QString &uuid);
    /// Selects tensors by name (the first drives the histograms).
    bool selectTensors(const QStringList &names);
    /// Reloads runs, tensors, series and rules from the store.
    void reload();
    /// Evaluates every rule on the current run in the background; evaluated() when done.
    void evaluateRules();
    qint64 currentStep() const;

    QComboBox *runCombo() const { return m_runCombo; }
    QComboBox *compareCombo() const { return m_compareCombo; }
    QComboBox *reductionCombo() const { return m_reduction; }
    QTreeWidget *tensorTree() const { return m_tensors; }
    QTreeWidget *ruleTree() const { return m_rules; }
    QSlider *stepSlider() const { return m_slider; }
    QTabWidget *tabs() const { return m_tabs; }
    HistogramHeatmap *heatmap() const { return m_heatmap; }
    OffsetHistogramPlot *histograms() const { return m_offset; }
    gui::CurvePlot *reductions() const { return m_curves; }
    HistogramHeatmap *compareHeatmap() const { return m_compareHeatmap; }
    QLabel *noticeLabel() const { return m_notice; }

Q_SIGNALS:
    void evaluated();

private:
    void reloadRuns();
    void reloadTensors();
    void reloadSeries();
    void reloadRules();
    void updateCurves();
    void updateStep();
    void onRuleClicked(QTreeWidgetItem *item);
    void checkNotifications();
    qint64 runId(const QComboBox *combo) const;
    QStringList selectedTensors() const;

    QComboBox *m_runCombo;
    QComboBox *m_compareCombo;
    QPushButton *m_evaluate;
    QTreeWidget *m_tensors;
    QTreeWidget *m_rules;
    QLabel *m_ruleText;
    QLabel *m_notice;
    QTabWidget *m_tabs;
    HistogramHeatmap *m_heatmap;
    OffsetHistogramPlot *m_offset;
    gui::CurvePlot *m_curves;
    QComboBox *m_reduction;
    HistogramHeatmap *m_compareHeatmap;
    HistogramHeatmap *m_compareOther;
    QLabel *m_compareLabel;
    QSlider *m_slider;
    QLabel *m_stepLabel;
    QFutureWatcher<QString> m_watcher;

    qint64 m_shownRun = -1;
    QList<debugger::TensorInfo> m_tensorInfos;
    QHash<QString, debugger::TensorSeries> m_series; // selected tensors of the current run
    debugger::TensorSeries m_compareSeries;          // the first selected tensor in the other run
    QList<debugger::RuleResult> m_results;
    qint64 m_noticeSince = 0;
    bool m_reloading = false;
};

} // namespace cairn::panels
