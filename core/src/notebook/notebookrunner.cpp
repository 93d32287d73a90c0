#include "cairn/notebook/notebookrunner.h"

#include "cairn/notebook/outputs.h"

#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonArray>
#include <QTimer>

namespace cairn {

QString pythonClientDirectory()
{
    const QString fromEnv = qEnvironmentVariable("CAIRN_PYTHON_CLIENT_DIR");
    if (!fromEnv.isEmpty())
        return fromEnv;
    // Installed under /usr, the package lives in dist-packages where /usr/bin/python3 finds it.
    const QString appDir = QCoreApplication::applicationDirPath();
    if (appDir.startsWith(QLatin1String("/usr/")))
        return {};
#ifdef CAIRN_SOURCE_PYTHON_DIR
    if (QFileInfo::exists(QStringLiteral(CAIRN_SOURCE_PYTHON_DIR "/cairn/__init__.py")))
        return QStringLiteral(CAIRN_SOURCE_PYTHON_DIR);
#endif
    return {};
}

KernelLaunchOptions notebookLaunchOptions(const QString &workspacePath, const QString &notebookPath)
{
    KernelLaunchOptions options;
    if (!workspacePath.isEmpty())
        options.environment.insert(QStringLiteral("CAIRN_WORKSPACE"), QFileInfo(workspacePath).absoluteFilePath());
    if (!notebookPath.isEmpty()) {
        const QFileInfo info(notebookPath);
        options.environment.insert(QStringLiteral("CAIRN_NOTEBOOK_PATH"), info.absoluteFilePath());
        options.workingDirectory = info.absolutePath();
    }
    const QString clientDir = pythonClientDirectory();
    if (!clientDir.isEmpty())
        options.pythonPath.append(clientDir);
    return options;
}

NotebookRunner::NotebookRunner(KernelClient *client, QObject *parent) : QObject(parent), m_client(client) {}

NotebookRunner::Result NotebookRunner::run(Notebook &notebook)
{
    Result result;
    QList<NotebookCell> &cells = notebook.cells();
    int total = 0;
    for (const NotebookCell &cell : cells)
        total += cell.type() == CellType::Code ? 1 : 0;
    for (int i = 0; i < cells.size(); ++i) {
        NotebookCell &cell = cells[i];
        if (cell.type() != CellType::Code)
            continue;
        if (m_progress)
            m_progress(i, total);
        Result cellResult = runCell(cell);
        ++result.executedCells;
        if (!cellResult.ok) {
            cellResult.failedCell = i;
            cellResult.executedCells = result.executedCells;
            return cellResult;
        }
    }
    return result;
}

NotebookRunner::Result NotebookRunner::runCell(NotebookCell &cell)
{
    Result result;
    cell.setOutputs({});
    cell.setExecutionCount(0);
    if (cell.source().trimmed().isEmpty())
        return result;
    if (!m_client->isReady()) {
        result.ok = false;
        result.kernelDied = true;
        result.ename = tr("KernelNotReady");
        result.evalue = tr("the kernel is not running");
        return result;
    }

    OutputCollector collector;
    QEventLoop loop;
    bool gotReply = false;
    bool gotIdle = false;
    QJsonObject reply;
    const QString msgId = m_client->execute(cell.source(), false, true, false, true);

    auto finishIfDone = [&] {
        if (gotReply && gotIdle)
            loop.quit();
    };
    const auto iopub = connect(m_client, &KernelClient::iopubMessage, &loop, [&](const KernelMessage &message) {
        if (message.parentId() != msgId)
            return;
        if (message.type() == QLatin1String("status")) {
            if (message.content.value(QLatin1String("execution_state")).toString() == QLatin1String("idle")) {
                gotIdle = true;
                finishIfDone();
            }
            return;
        }
        if (collector.apply(message))
            cell.setOutputs(collector.nbformatOutputs());
    });
    const auto shell = connect(m_client, &KernelClient::shellReply, &loop, [&](const KernelMessage &message) {
        if (message.parentId() != msgId || message.type() != QLatin1String("execute_reply"))
            return;
        reply = message.content;
        gotReply = true;
        finishIfDone();
    });
    QString deathReason;
    const auto died = connect(m_client, &KernelClient::died, &loop, [&](const QString &reason) {
        deathReason = reason;
        loop.quit();
    });
    QTimer timer;
    timer.setSingleShot(true);
    bool timedOut = false;
    connect(&timer, &QTimer::timeout, &loop, [&] {
        // Interrupt, then give the kernel a few seconds to answer with its KeyboardInterrupt.
        if (!timedOut) {
            timedOut = true;
            m_client->interrupt();
            timer.start(5000);
        } else {
            loop.quit();
        }
    });
    if (m_timeoutMs > 0)
        timer.start(m_timeoutMs);
    loop.exec();
    disconnect(iopub);
    disconnect(shell);
    disconnect(died);

    cell.setOutputs(collector.nbformatOutputs());
    if (reply.contains(QLatin1String("execution_count")))
        cell.setExecutionCount(reply.value(QLatin1String("execution_count")).toInt());
    if (!deathReason.isEmpty()) {
        result.ok = false;
        result.kernelDied = true;
        result.ename = tr("DeadKernelError");
        result.evalue = deathReason;
        return result;
    }
    if (timedOut) {
        result.ok = false;
        result.timedOut = true;
        result.ename = tr("CellTimeoutError");
        result.evalue = tr("the cell ran longer than %1 s and was interrupted").arg(m_timeoutMs / 1000.0);
        return result;
    }
    if (reply.value(QLatin1String("status")).toString() == QLatin1String("error")) {
        result.ok = false;
        QJsonObject error = collector.error();
        if (error.isEmpty())
            error = reply;
        result.ename = error.value(QLatin1String("ename")).toString();
        result.evalue = error.value(QLatin1String("evalue")).toString();
        for (const QJsonValue &line : error.value(QLatin1String("traceback")).toArray())
            result.traceback.append(line.toString());
    }
    return result;
}

} // namespace cairn
