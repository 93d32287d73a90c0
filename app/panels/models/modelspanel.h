#pragma once

#include "panel.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTableWidget;
class QCheckBox;
class QTreeWidget;

namespace cairn::gui {
class CurvePlot;
}

namespace cairn::panels {

class EndpointsView;

/// The Models panel: the workspace's model registry — registered models and their versions with
/// approval status; the selected version's lineage (its run, data channels with their hashes,
/// hyperparameters, metrics), approval with a comment and the kept trail, aliases; its model
/// card, edited and exported as Markdown or JSON; a metric's trend over the versions and a diff
/// of what differs; and the endpoints that serve models (EndpointsView).
class ModelsPanel : public gui::Panel
{
    Q_OBJECT
public:
    explicit ModelsPanel(gui::StudioContext *context, QWidget *parent = nullptr);

    QString panelId() const override { return QStringLiteral("models"); }
    QString title() const override { return tr("Models"); }

    /// Rereads the registry (keeps the selection).
    void refresh();
    /// Selects a version ("churn:2") or a model ("churn"); false when it is not registered.
    bool selectVersion(const QString &ref);
    /// "NAME:VERSION" of the selected version; empty when a model or nothing is selected.
    QString selectedVersion() const;
    /// Sets the selected version's approval with the comment box's text; false (and a message)
    /// when the registry refuses.
    bool approveSelected(bool approve);
    /// Saves the card editor to the selected version.
    bool saveCard();
    /// Writes the selected version's card as Markdown (".md") or JSON (".json").
    bool exportCard(const QString &path);
    /// Asks for a name, then registers the run's model as that model's next version.
    void registerRun(const QString &runUuid);
    /// Registers without asking; returns "NAME:VERSION", empty (and a message) on failure.
    QString registerRunAs(const QString &runUuid, const QString &name);
    /// Shows the Endpoints tab with `ref` in the start form.
    void deploy(const QString &ref);

    QTreeWidget *modelsView() const { return m_tree; }
    QTabWidget *tabs() const { return m_tabs; }
    QLabel *lineageView() const { return m_lineage; }
    QTableWidget *channelsTable() const { return m_channels; }
    QLineEdit *commentEdit() const { return m_comment; }
    QTreeWidget *trailView() const { return m_trail; }
    QPlainTextEdit *cardEdit(int field) const { return m_card[field]; }
    QTableWidget *diffTable() const { return m_diff; }
    QComboBox *trendMetricBox() const { return m_trendMetric; }
    gui::CurvePlot *trendPlot() const { return m_trend; }
    EndpointsView *endpointsView() const { return m_endpoints; }
    QLabel *messageLabel() const { return m_message; }

private:
    void showSelected();
    void showVersion(const QString &ref);
    void showCompare(const QString &name);
    void updateTrend();
    void message(const QString &text, bool error = false);
    void raiseDock();

    QTreeWidget *m_tree;
    QTabWidget *m_tabs;
    QLabel *m_message;
    QLabel *m_header;
    QLabel *m_lineage;
    QTableWidget *m_channels;
    QLineEdit *m_comment;
    QPushButton *m_approve;
    QPushButton *m_reject;
    QTreeWidget *m_trail;
    QLineEdit *m_alias;
    QPushButton *m_setAlias;
    QPushButton *m_removeAlias;
    QPushButton *m_deploy;
    QPushButton *m_delete;
    QPlainTextEdit *m_card[4];
    QLabel *m_cardInfo;
    QPushButton *m_saveCard;
    QPushButton *m_exportCard;
    QComboBox *m_trendMetric;
    gui::CurvePlot *m_trend;
    QCheckBox *m_onlyDiff;
    QTableWidget *m_diff;
    EndpointsView *m_endpoints;
    QString m_shown;        ///< the version shown ("NAME:VERSION")
    QString m_compared;     ///< the model compared
    QList<int> m_trendVersions;
    QString m_signature;    ///< what the tree shows, to skip rebuilding it when the store changed elsewhere
};

} // namespace cairn::panels
