#include "endpointsview.h"

#include "curveplot.h"
#include "displaytext.h"
#include "jobservice.h"
#include "studiocontext.h"

#include "cairn/jobs/jobmanager.h"
#include "cairn/util/error.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFontDatabase>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstring>
#include <limits>

namespace cairn::panels {

namespace {
constexpr int kHistory = 120; // seconds of requests/s and latency on the charts
enum Column { NameColumn, UrlColumn, ModelsColumn, PidColumn };

QString modelsText(const QJsonArray &models)
{
    QStringList out;
    for (const QJsonValue &v : models) {
        const QJsonObject o = v.toObject();
        QString s = o.value(QStringLiteral("name")).toString();
        if (o.value(QStringLiteral("version")).toInt() > 0)
            s += QLatin1Char(':') + QString::number(o.value(QStringLiteral("version")).toInt());
        out << s;
    }
    return out.join(QStringLiteral(", "));
}
} // namespace

EndpointCounters EndpointCounters::parse(const QByteArray &text)
{
    EndpointCounters c;
    QMap<double, double> buckets;
    for (const QByteArray &raw : text.split('\n')) {
        const QByteArray line = raw.trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const qsizetype space = line.lastIndexOf(' ');
        if (space <= 0)
            continue;
        bool ok = false;
        const double value = line.mid(space + 1).toDouble(&ok);
        if (!ok)
            continue;
        const QByteArray key = line.left(space);
        const QByteArray metric = key.left(key.indexOf('{') < 0 ? key.size() : key.indexOf('{'));
        if (metric == "cairn_invocations_total") {
            c.invocations += value;
            c.valid = true;
        } else if (metric == "cairn_invocation_errors_total") {
            c.errors += value;
        } else if (metric == "cairn_invocation_duration_seconds_sum") {
            c.latencySum += value;
        } else if (metric == "cairn_invocation_duration_seconds_bucket") {
            const qsizetype le = key.indexOf("le=\"");
            if (le < 0)
                continue;
            const QByteArray bound = key.mid(le + 4, key.indexOf('"', le + 4) - le - 4);
            const double upper = bound == "+Inf" ? std::numeric_limits<double>::infinity() : bound.toDouble();
            buckets[upper] += value; // summed over models and variants
        }
    }
    for (auto it = buckets.cbegin(); it != buckets.cend(); ++it)
        c.buckets << qMakePair(it.key(), it.value());
    return c;
}

double EndpointCounters::quantile(const EndpointCounters &before, const EndpointCounters &after, double q)
{
    if (after.buckets.isEmpty())
        return 0;
    const double total = after.buckets.last().second - (before.buckets.size() == after.buckets.size() ? before.buckets.last().second : 0);
    if (total <= 0)
        return 0;
    double lastFinite = 0;
    for (qsizetype i = 0; i < after.buckets.size(); ++i) {
        const double n = after.buckets[i].second - (before.buckets.size() == after.buckets.size() ? before.buckets[i].second : 0);
        if (std::isfinite(after.buckets[i].first))
            lastFinite = after.buckets[i].first;
        if (n >= q * total)
            return std::isfinite(after.buckets[i].first) ? after.buckets[i].first : lastFinite;
    }
    return lastFinite;
}

EndpointsView::EndpointsView(gui::StudioContext *context, QWidget *parent)
    : QWidget(parent), m_context(context), m_net(new QNetworkAccessManager(this)), m_timer(new QTimer(this)),
      m_list(new QTreeWidget(this)), m_model(new QLineEdit(this)), m_name(new QLineEdit(this)), m_port(new QSpinBox(this)),
      m_token(new QLineEdit(this)), m_start(new QPushButton(tr("Start endpoint"), this)), m_stop(new QPushButton(tr("Stop"), this)),
      m_status(new QLabel(this)), m_contentType(new QComboBox(this)), m_accept(new QComboBox(this)), m_body(new QPlainTextEdit(this)),
      m_send(new QPushButton(tr("Send"), this)), m_responseStatus(new QLabel(this)), m_response(new QPlainTextEdit(this)),
      m_ratePlot(new gui::CurvePlot(this)), m_latencyPlot(new gui::CurvePlot(this)), m_rate(new QLabel(this)), m_log(new QPlainTextEdit(this))
{
    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(0, 0, 0, 0);

    auto *startBox = new QGroupBox(tr("New endpoint"), this);
    auto *startRow = new QHBoxLayout(startBox);
    m_model->setObjectName(QStringLiteral("endpointModel"));
    m_model->setPlaceholderText(tr("model: churn@champion, churn:3 or a run id"));
    m_name->setObjectName(QStringLiteral("endpointName"));
    m_name->setPlaceholderText(tr("name (default: the model's)"));
    m_port->setObjectName(QStringLiteral("endpointPort"));
    m_port->setRange(0, 65535);
    m_port->setValue(8080);
    m_port->setSpecialValueText(tr("any free port"));
    m_port->setToolTip(tr("TCP port on 127.0.0.1; 0 picks a free one"));
    m_token->setObjectName(QStringLiteral("endpointToken"));
    m_token->setPlaceholderText(tr("bearer token (optional)"));
    m_token->setEchoMode(QLineEdit::Password);
    m_start->setObjectName(QStringLiteral("startEndpoint"));
    m_start->setToolTip(tr("Runs cairn serve in the background: the endpoint keeps serving when the window closes"));
    startRow->addWidget(m_model, 3);
    startRow->addWidget(m_name, 2);
    startRow->addWidget(new QLabel(tr("Port"), startBox));
    startRow->addWidget(m_port);
    startRow->addWidget(m_token, 1);
    startRow->addWidget(m_start);
    v->addWidget(startBox);

    auto *split = new QSplitter(Qt::Vertical, this);
    auto *top = new QWidget(split);
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    m_list->setObjectName(QStringLiteral("endpointsList"));
    m_list->setHeaderLabels({tr("Endpoint"), tr("URL"), tr("Models"), tr("Process")});
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_list->setMaximumHeight(120);
    auto *listRow = new QHBoxLayout;
    listRow->addWidget(m_list, 1);
    auto *listButtons = new QVBoxLayout;
    m_stop->setObjectName(QStringLiteral("stopEndpoint"));
    m_stop->setToolTip(tr("SIGTERM: the endpoint answers the requests it has, then exits"));
    listButtons->addWidget(m_stop);
    listButtons->addStretch(1);
    listRow->addLayout(listButtons);
    topLayout->addLayout(listRow);
    m_status->setObjectName(QStringLiteral("endpointStatus"));
    m_status->setWordWrap(true);
    topLayout->addWidget(m_status);

    // Invoke form and answer side by side.
    auto *invoke = new QWidget(split);
    auto *invokeLayout = new QHBoxLayout(invoke);
    invokeLayout->setContentsMargins(0, 0, 0, 0);
    auto *request = new QGroupBox(tr("Request"), invoke);
    auto *requestLayout = new QVBoxLayout(request);
    auto *types = new QHBoxLayout;
    m_contentType->setObjectName(QStringLiteral("contentType"));
    m_accept->setObjectName(QStringLiteral("accept"));
    for (const char *t : {"text/csv", "application/json", "application/jsonlines"}) {
        m_contentType->addItem(QString::fromLatin1(t));
        m_accept->addItem(QString::fromLatin1(t));
    }
    m_accept->insertItem(0, tr("as sent"), QString());
    m_accept->setCurrentIndex(0);
    types->addWidget(new QLabel(tr("Content-Type"), request));
    types->addWidget(m_contentType);
    types->addWidget(new QLabel(tr("Accept"), request));
    types->addWidget(m_accept);
    types->addStretch(1);
    m_send->setObjectName(QStringLiteral("sendRequest"));
    types->addWidget(m_send);
    requestLayout->addLayout(types);
    m_body->setObjectName(QStringLiteral("requestBody"));
    m_body->setPlaceholderText(tr("Paste CSV rows (with or without a header) or JSON, e.g. {\"dataframe_records\": [{\"age\": 22}]}"));
    m_body->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    requestLayout->addWidget(m_body);
    auto *answer = new QGroupBox(tr("Answer"), invoke);
    auto *answerLayout = new QVBoxLayout(answer);
    m_responseStatus->setObjectName(QStringLiteral("responseStatus"));
    m_responseStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    answerLayout->addWidget(m_responseStatus);
    m_response->setObjectName(QStringLiteral("responseBody"));
    m_response->setReadOnly(true);
    m_response->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    answerLayout->addWidget(m_response);
    invokeLayout->addWidget(request, 1);
    invokeLayout->addWidget(answer, 1);

    // Live charts and the log.
    auto *live = new QWidget(split);
    auto *liveLayout = new QVBoxLayout(live);
    liveLayout->setContentsMargins(0, 0, 0, 0);
    m_rate->setObjectName(QStringLiteral("endpointRate"));
    liveLayout->addWidget(m_rate);
    auto *charts = new QHBoxLayout;
    m_ratePlot->setObjectName(QStringLiteral("requestsPerSecond"));
    m_ratePlot->setXKind(gui::CurvePlot::XKind::Seconds);
    m_ratePlot->setLabels(tr("seconds"), tr("requests/s"));
    m_ratePlot->setEmptyMessage(tr("Requests per second appear while an endpoint is selected"));
    m_latencyPlot->setObjectName(QStringLiteral("latency"));
    m_latencyPlot->setXKind(gui::CurvePlot::XKind::Seconds);
    m_latencyPlot->setLabels(tr("seconds"), tr("latency (ms)"));
    m_latencyPlot->setEmptyMessage(tr("Latency appears once requests arrive"));
    m_ratePlot->setMinimumHeight(140);
    m_latencyPlot->setMinimumHeight(140);
    charts->addWidget(m_ratePlot);
    charts->addWidget(m_latencyPlot);
    liveLayout->addLayout(charts, 1);
    m_log->setObjectName(QStringLiteral("endpointLog"));
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(2000);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_log->setPlaceholderText(tr("The log of an endpoint started from this panel"));
    liveLayout->addWidget(m_log, 1);

    split->addWidget(top);
    split->addWidget(invoke);
    split->addWidget(live);
    split->setStretchFactor(1, 1);
    split->setStretchFactor(2, 2);
    v->addWidget(split, 1);

    connect(m_start, &QPushButton::clicked, this, [this] {
        try {
            startEndpoint(m_model->text().trimmed(), m_name->text().trimmed(), m_port->value(), m_token->text());
        } catch (const Error &e) {
            m_status->setText(e.message());
        }
    });
    connect(m_stop, &QPushButton::clicked, this, [this] {
        if (!selectedEndpoint().isEmpty())
            stopEndpoint(selectedEndpoint());
    });
    connect(m_send, &QPushButton::clicked, this, &EndpointsView::invoke);
    connect(m_list, &QTreeWidget::currentItemChanged, this, &EndpointsView::showSelected);
    connect(m_timer, &QTimer::timeout, this, &EndpointsView::refresh);
    connect(context, &gui::StudioContext::workspaceChanged, this, &EndpointsView::refresh);
    m_clock.start();
    m_timer->start(1000);
    refresh();
}

QString EndpointsView::workspacePath() const
{
    return m_context->hasWorkspace() ? m_context->workspacePath() : QString();
}

QString EndpointsView::logPath(const QString &name) const
{
    return QDir(serving::EndpointRecord::directory(workspacePath())).filePath(name + QStringLiteral(".log"));
}

QString EndpointsView::cairnProgram() const
{
    if (JobManager *manager = gui::JobService::of(m_context)->manager())
        return manager->workerProgram();
    const QString sibling = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("cairn"));
    return QFileInfo(sibling).isExecutable() ? sibling : qEnvironmentVariable("CAIRN_CLI", QStringLiteral("cairn"));
}

void EndpointsView::setModelReference(const QString &ref)
{
    m_model->setText(ref);
}

void EndpointsView::startEndpoint(const QString &modelRef, const QString &name, int port, const QString &token)
{
    const QString ws = workspacePath();
    if (ws.isEmpty())
        throw Error(tr("open a workspace first"));
    if (modelRef.isEmpty())
        throw Error(tr("name the model to serve: churn@champion, churn:3, or a run id"));
    // cairn serve names an endpoint after its model; the log file needs the name now.
    QString endpoint = name;
    if (endpoint.isEmpty()) {
        endpoint = modelRef.section(QLatin1Char('@'), 0, 0).section(QLatin1Char(':'), 0, 0);
        if (endpoint.startsWith(QStringLiteral("models/")))
            endpoint = endpoint.mid(7);
        endpoint = QFileInfo(endpoint).fileName();
    }
    if (!serving::EndpointRecord::isValidName(endpoint))
        throw Error(tr("endpoint name '%1': use letters, digits, '.', '_' and '-'").arg(endpoint));
    for (const serving::EndpointRecord &r : serving::EndpointRecord::list(ws))
        if (r.name == endpoint)
            throw Error(tr("an endpoint named '%1' already runs on %2: stop it or pick another name").arg(endpoint, r.url()));
    QDir().mkpath(serving::EndpointRecord::directory(ws));
    const QString log = logPath(endpoint);
    QFile::remove(log);
    QProcess process;
    process.setProgram(cairnProgram());
    QStringList args{QStringLiteral("--workspace"), ws, QStringLiteral("serve"), QStringLiteral("--model"), modelRef, QStringLiteral("--name"), endpoint,
                     QStringLiteral("--port"), QString::number(port)};
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (!token.isEmpty())
        env.insert(QStringLiteral("CAIRN_ENDPOINT_TOKEN"), token); // not on the command line, where ps shows it
    process.setProcessEnvironment(env);
    process.setArguments(args);
    process.setStandardOutputFile(log, QIODevice::Append);
    process.setStandardErrorFile(log, QIODevice::Append);
    process.setStandardInputFile(QProcess::nullDevice());
    qint64 pid = 0;
    if (!process.startDetached(&pid))
        throw Error(tr("cannot run %1: %2").arg(process.program(), process.errorString()));
    m_starting.insert(endpoint, pid);
    if (!token.isEmpty())
        m_tokens.insert(endpoint, token);
    m_status->setText(tr("Starting %1 (process %2)…").arg(endpoint).arg(pid));
    m_logSize = -1;
    refresh();
}

void EndpointsView::stopEndpoint(const QString &name)
{
    for (const serving::EndpointRecord &r : std::as_const(m_records))
        if (r.name == name && r.alive()) {
            if (::kill(pid_t(r.pid), SIGTERM) != 0) {
                m_status->setText(tr("cannot stop %1 (process %2): %3").arg(name).arg(r.pid).arg(QString::fromLocal8Bit(strerror(errno))));
                return;
            }
            m_status->setText(tr("Stopping %1: it answers the requests it has, then exits").arg(name));
            return;
        }
    m_status->setText(tr("%1 does not run").arg(name));
}

bool EndpointsView::selectEndpoint(const QString &name)
{
    for (int i = 0; i < m_list->topLevelItemCount(); ++i)
        if (m_list->topLevelItem(i)->text(NameColumn) == name) {
            m_list->setCurrentItem(m_list->topLevelItem(i));
            return true;
        }
    return false;
}

QString EndpointsView::selectedEndpoint() const
{
    return m_list->currentItem() ? m_list->currentItem()->text(NameColumn) : QString();
}

QStringList EndpointsView::endpointNames() const
{
    QStringList names;
    for (const serving::EndpointRecord &r : m_records)
        names << r.name;
    return names;
}

void EndpointsView::checkStarting()
{
    for (auto it = m_starting.begin(); it != m_starting.end();) {
        bool recorded = false;
        for (const serving::EndpointRecord &r : std::as_const(m_records))
            recorded = recorded || r.name == it.key();
        if (recorded) {
            m_status->setText(tr("%1 serves").arg(it.key()));
            it = m_starting.erase(it);
        } else if (serving::EndpointRecord probe; (probe.pid = it.value()) && !probe.alive()) {
            // Gone without a record: the log says why (a bad reference, a port in use…).
            QFile f(logPath(it.key()));
            const QString log = f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()).trimmed() : QString();
            m_status->setText(tr("%1 did not start: %2").arg(it.key(), log.section(QLatin1Char('\n'), -1)));
            it = m_starting.erase(it);
        } else {
            ++it;
        }
    }
}

void EndpointsView::refresh()
{
    const QString ws = workspacePath();
    m_records = ws.isEmpty() ? QList<serving::EndpointRecord>() : serving::EndpointRecord::list(ws);
    checkStarting();
    const QString selected = selectedEndpoint();
    QStringList shown;
    for (int i = 0; i < m_list->topLevelItemCount(); ++i)
        shown << m_list->topLevelItem(i)->text(NameColumn);
    if (shown != endpointNames()) {
        const QSignalBlocker block(m_list);
        m_list->clear();
        for (const serving::EndpointRecord &r : std::as_const(m_records)) {
            auto *item = new QTreeWidgetItem(m_list, {r.name, r.url(), modelsText(r.models), QString::number(r.pid)});
            item->setToolTip(NameColumn, tr("started %1").arg(gui::DisplayText::dateTime(r.started)));
        }
        if (!selectEndpoint(selected) && m_list->topLevelItemCount() > 0)
            m_list->setCurrentItem(m_list->topLevelItem(0));
        showSelected();
    } else {
        for (int i = 0; i < m_list->topLevelItemCount(); ++i)
            m_list->topLevelItem(i)->setText(ModelsColumn, modelsText(m_records[i].models)); // after a hot swap
    }
    m_stop->setEnabled(!selectedEndpoint().isEmpty());
    m_send->setEnabled(!selectedEndpoint().isEmpty());
    for (const serving::EndpointRecord &r : std::as_const(m_records))
        if (r.name == m_followed)
            pollMetrics(r);
    if (!m_followed.isEmpty())
        readLog(m_followed);
}

void EndpointsView::showSelected()
{
    const QString name = selectedEndpoint();
    if (name == m_followed)
        return;
    m_followed = name;
    m_last = {};
    m_times.clear();
    m_rates.clear();
    m_means.clear();
    m_p99s.clear();
    m_seen = 0;
    m_logSize = -1;
    m_log->clear();
    m_ratePlot->setCurves({});
    m_latencyPlot->setCurves({});
    m_rate->setText(name.isEmpty() ? tr("No endpoint runs in this workspace.") : tr("Waiting for the metrics of %1…").arg(name));
    m_stop->setEnabled(!name.isEmpty());
    m_send->setEnabled(!name.isEmpty());
}

void EndpointsView::pollMetrics(const serving::EndpointRecord &record)
{
    if (m_polling)
        return; // the previous answer is still out: never pile requests on a busy endpoint
    QNetworkRequest request(QUrl(record.url() + QStringLiteral("/metrics")));
    request.setTransferTimeout(3000);
    if (m_tokens.contains(record.name))
        request.setRawHeader("Authorization", "Bearer " + m_tokens.value(record.name).toUtf8());
    m_polling = true;
    QNetworkReply *reply = m_net->get(request);
    const QString name = record.name;
    connect(reply, &QNetworkReply::finished, this, [this, reply, name] {
        reply->deleteLater();
        m_polling = false;
        if (name != m_followed)
            return;
        if (reply->error() != QNetworkReply::NoError) {
            m_rate->setText(tr("%1: no metrics (%2)").arg(name, reply->errorString()));
            return;
        }
        const EndpointCounters now = EndpointCounters::parse(reply->readAll());
        const double t = m_clock.elapsed() / 1000.0;
        if (!now.valid) {
            m_rate->setText(tr("%1: no model loaded yet").arg(name));
            return;
        }
        if (m_last.valid && t > m_lastTime) {
            const double requests = std::max(0.0, now.invocations - m_last.invocations);
            const double rate = requests / (t - m_lastTime);
            const double mean = requests > 0 ? (now.latencySum - m_last.latencySum) / requests * 1000 : 0;
            const double p99 = EndpointCounters::quantile(m_last, now, 0.99) * 1000;
            m_seen += requests;
            m_times << t;
            m_rates << rate;
            m_means << mean;
            m_p99s << p99;
            while (m_times.size() > kHistory) {
                m_times.removeFirst();
                m_rates.removeFirst();
                m_means.removeFirst();
                m_p99s.removeFirst();
            }
            m_ratePlot->setCurves({{tr("requests/s"), m_times, m_rates}});
            m_latencyPlot->setCurves({{tr("mean"), m_times, m_means}, {tr("p99 (bucket bound)"), m_times, m_p99s}});
            m_rate->setText(tr("%1: %2 requests/s, mean latency %3 ms, p99 ≤ %4 ms; %5 requests, %6 errors in all")
                                .arg(name, QString::number(rate, 'f', 1), QString::number(mean, 'f', 2), QString::number(p99, 'g', 3))
                                .arg(now.invocations, 0, 'f', 0)
                                .arg(now.errors, 0, 'f', 0));
        }
        m_last = now;
        m_lastTime = t;
    });
}

void EndpointsView::readLog(const QString &name)
{
    QFile f(logPath(name));
    if (!f.exists()) {
        if (m_log->document()->isEmpty())
            m_log->setPlaceholderText(tr("%1 was not started from this panel, so its log is where it was started").arg(name));
        return;
    }
    if (f.size() == m_logSize || !f.open(QIODevice::ReadOnly))
        return;
    // Only the new part; the whole file the first time (the last 256 KB of it).
    if (m_logSize < 0 || f.size() < m_logSize) {
        m_log->clear();
        f.seek(std::max<qint64>(0, f.size() - 256 * 1024));
    } else {
        f.seek(m_logSize);
    }
    const QByteArray text = f.readAll();
    m_logSize = f.pos();
    if (!text.isEmpty())
        m_log->appendPlainText(QString::fromUtf8(text).trimmed());
}

void EndpointsView::invoke()
{
    const QString name = selectedEndpoint();
    const serving::EndpointRecord *record = nullptr;
    for (const serving::EndpointRecord &r : std::as_const(m_records))
        if (r.name == name)
            record = &r;
    if (!record) {
        m_responseStatus->setText(tr("Pick a running endpoint first."));
        return;
    }
    QNetworkRequest request(QUrl(record->url() + QStringLiteral("/invocations")));
    request.setHeader(QNetworkRequest::ContentTypeHeader, m_contentType->currentText());
    const QString accept = m_accept->currentIndex() > 0 ? m_accept->currentText() : QString(); // 0: "as sent"
    if (!accept.isEmpty())
        request.setRawHeader("Accept", accept.toUtf8());
    const QString token = m_tokens.value(name, m_token->text());
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    request.setTransferTimeout(60000);
    QByteArray body = m_body->toPlainText().toUtf8();
    if (m_contentType->currentText() != QStringLiteral("application/json") && !body.endsWith('\n'))
        body += '\n';
    m_responseStatus->setText(tr("Sending %1 bytes to %2…").arg(body.size()).arg(name));
    m_response->clear();
    auto *clock = new QElapsedTimer;
    clock->start();
    QNetworkReply *reply = m_net->post(request, body);
    connect(reply, &QNetworkReply::finished, this, [this, reply, clock] {
        reply->deleteLater();
        const qint64 ms = clock->elapsed();
        delete clock;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray answer = reply->readAll();
        if (status == 0) {
            m_responseStatus->setText(tr("No answer: %1").arg(reply->errorString()));
        } else {
            const QString model = QString::fromUtf8(reply->rawHeader("X-Cairn-Model"));
            m_responseStatus->setText(tr("HTTP %1 in %2 ms%3").arg(status).arg(ms).arg(model.isEmpty() ? QString() : tr(", answered by %1").arg(model)));
        }
        m_response->setPlainText(QString::fromUtf8(answer));
        Q_EMIT invokeFinished(status);
    });
}

} // namespace cairn::panels
