#pragma once

#include "automlplots.h"

#include "cairn/automl/automljob.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QPushButton;
class QSplitter;
class QTabWidget;
class QTableView;

namespace cairn::gui {
class StudioContext;
}

namespace cairn::panels {

class LeaderboardModel;

/// What an AutoML run produced, from a job of this window or from a stored run's artifacts.
struct AutoMLResult
{
    QString runUuid;
    QString name;
    QString target;
    QString metric;      ///< the objective (resolved, never "auto")
    QString task;        ///< "binary", "multiclass", "regression"
    bool running = false;
    QList<automl::Candidate> leaderboard; ///< best first
    QList<ImportancePlot::Bar> importance; ///< permutation importance
    QList<ImportancePlot::Bar> shap;       ///< mean |SHAP|, when the best model has it
    QString dataNotebook;      ///< absolute paths; empty when missing
    QString candidateNotebook;
    QString error;             ///< why the run's results could not be read

    /// The finished candidate on top of the leaderboard; null when there is none.
    const automl::Candidate *best() const;
    /// What a job of this window has so far (its leaderboard, importance and notebooks).
    /// artifactDir: the run's artifact folder (for the SHAP importance and the notebooks).
    static AutoMLResult fromJob(automl::AutoMLJob *job, const automl::AutoMLSpec &spec, const QString &artifactDir);
    /// Reads a stored run's artifacts (automl/, explanations/, notebooks/) under `artifactDir`.
    /// Safe off the GUI thread.
    static AutoMLResult load(const QString &runUuid, const QString &artifactDir);
    /// Parses automl/leaderboard.json's candidates.
    static QList<automl::Candidate> parseLeaderboard(const QJsonDocument &doc);
};

/// An AutoML run's results: the best model in words, the leaderboard, the feature importance and
/// the objective over the candidates, with buttons to open the notebooks, the run, or to score a
/// CSV with the best model. Used by the wizard's finish page and the AutoML panel.
class AutoMLResultView : public QWidget
{
    Q_OBJECT
public:
    explicit AutoMLResultView(gui::StudioContext *context, QWidget *parent = nullptr);

    void setResult(const AutoMLResult &result);
    /// Reads the run's artifacts off the GUI thread, then shows them (resultShown follows).
    void showStoredRun(const QString &runUuid);
    void clear(const QString &message);
    const AutoMLResult &result() const { return m_result; }
    bool isLoading() const { return m_loading; }
    void setLeaderboardVisible(bool visible);

    QLabel *summaryLabel() const { return m_summary; }
    QTableView *leaderboardView() const { return m_view; }
    LeaderboardModel *leaderboardModel() const { return m_model; }
    ImportancePlot *importancePlot() const { return m_importance; }
    BestObjectivePlot *objectivePlot() const { return m_objective; }
    QTabWidget *plotTabs() const { return m_tabs; }
    QPushButton *dataNotebookButton() const { return m_openData; }
    QPushButton *candidateNotebookButton() const { return m_openCandidates; }
    QPushButton *openRunButton() const { return m_openRun; }
    QPushButton *batchPredictionButton() const { return m_batch; }

Q_SIGNALS:
    void resultShown();

private:
    void updateButtons();
    void batchPrediction();

    gui::StudioContext *m_context;
    AutoMLResult m_result;
    QLabel *m_summary;
    QSplitter *m_split;
    QTableView *m_view;
    LeaderboardModel *m_model;
    QTabWidget *m_tabs;
    ImportancePlot *m_importance;
    BestObjectivePlot *m_objective;
    QPushButton *m_openData;
    QPushButton *m_openCandidates;
    QPushButton *m_openRun;
    QPushButton *m_batch;
    int m_generation = 0;
    bool m_loading = false;
};

/// Points (index, objective) in the order the candidates finished, for BestObjectivePlot.
QList<QPair<int, double>> objectiveHistory(const QList<automl::Candidate> &candidates);

} // namespace cairn::panels
