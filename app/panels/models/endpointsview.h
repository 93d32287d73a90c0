#pragma once

#include "cairn/serving/endpointrecord.h"

#include <QElapsedTimer>
#include <QHash>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QNetworkAccessManager;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTimer;
class QTreeWidget;

namespace cairn::gui {
class CurvePlot;
class StudioContext;
}

namespace cairn::panels {

/// Totals read from an endpoint's GET /metrics (Prometheus text), summed over models and variants.
struct EndpointCounters
{
    double invocations = 0;
    double errors = 0;
    double latencySum = 0; ///< seconds
    QList<QPair<double, double>> buckets; ///< (upper bound in seconds, cumulative count), +Inf last
    bool valid = false;

    static EndpointCounters parse(const QByteArray &prometheusText);
    /// The latency below which `q` of the requests between `before` and `after` were answered,
    /// as a bucket's upper bound in seconds; 0 without requests.
    static double quantile(const EndpointCounters &before, const EndpointCounters &after, double q);
};

/// The workspace's live endpoints (<workspace>/endpoints/*.json): start one with `cairn serve`
/// (detached, so it outlives the window), stop it (SIGTERM: it drains, then exits), send it a
/// request, and follow its requests per second, latency and log, polled every second.
class EndpointsView : public QWidget
{
    Q_OBJECT
public:
    explicit EndpointsView(gui::StudioContext *context, QWidget *parent = nullptr);

    /// Starts `cairn serve --model REF --port PORT --name NAME` (port 0: any free port); the log
    /// goes to <workspace>/endpoints/NAME.log. Throws cairn::Error when it cannot start.
    void startEndpoint(const QString &modelRef, const QString &name, int port, const QString &token = {});
    /// Asks the endpoint to stop (SIGTERM); it disappears from the list once it has exited.
    void stopEndpoint(const QString &name);
    /// Selects an endpoint in the list; false when it is not (yet) there.
    bool selectEndpoint(const QString &name);
    QString selectedEndpoint() const;
    QStringList endpointNames() const;
    /// Sends the invoke form's body to the selected endpoint.
    void invoke();
    /// Rereads the endpoint records and polls the selected endpoint's metrics and log.
    void refresh();
    /// Puts a model reference in the start form (a run id, "churn:3", "churn@champion").
    void setModelReference(const QString &ref);
    /// The `cairn` executable that serves (the one the GUI runs jobs with).
    QString cairnProgram() const;

    QTreeWidget *endpointsList() const { return m_list; }
    QLineEdit *modelEdit() const { return m_model; }
    QPlainTextEdit *requestEdit() const { return m_body; }
    QComboBox *contentTypeBox() const { return m_contentType; }
    QPlainTextEdit *responseView() const { return m_response; }
    QLabel *responseStatus() const { return m_responseStatus; }
    QPlainTextEdit *logView() const { return m_log; }
    QLabel *rateLabel() const { return m_rate; }
    /// Requests answered since the view started following the selected endpoint.
    double requestsSeen() const { return m_seen; }

Q_SIGNALS:
    void invokeFinished(int httpStatus);

private:
    QString workspacePath() const;
    QString logPath(const QString &name) const;
    void showSelected();
    void pollMetrics(const serving::EndpointRecord &record);
    void readLog(const QString &name);
    void checkStarting();

    gui::StudioContext *m_context;
    QNetworkAccessManager *m_net;
    QTimer *m_timer;
    QTreeWidget *m_list;
    QLineEdit *m_model;
    QLineEdit *m_name;
    QSpinBox *m_port;
    QLineEdit *m_token;
    QPushButton *m_start;
    QPushButton *m_stop;
    QLabel *m_status;
    QComboBox *m_contentType;
    QComboBox *m_accept;
    QPlainTextEdit *m_body;
    QPushButton *m_send;
    QLabel *m_responseStatus;
    QPlainTextEdit *m_response;
    gui::CurvePlot *m_ratePlot;
    gui::CurvePlot *m_latencyPlot;
    QLabel *m_rate;
    QPlainTextEdit *m_log;

    QList<serving::EndpointRecord> m_records;
    QHash<QString, QString> m_tokens;      ///< tokens of endpoints started here
    QHash<QString, qint64> m_starting;     ///< name → pid of endpoints started here without a record yet
    QString m_followed;                    ///< the endpoint whose metrics the charts show
    EndpointCounters m_last;
    QElapsedTimer m_clock;
    double m_lastTime = 0;
    QList<double> m_times, m_rates, m_means, m_p99s;
    double m_seen = 0;
    bool m_polling = false;
    qint64 m_logSize = -1;
};

} // namespace cairn::panels
