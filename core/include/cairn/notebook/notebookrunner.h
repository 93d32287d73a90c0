#pragma once

#include "cairn/notebook/kernelclient.h"
#include "cairn/notebook/notebook.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>

namespace cairn {

/// What a kernel started for a notebook gets: CAIRN_WORKSPACE, CAIRN_NOTEBOOK_PATH, the Cairn
/// Python client on PYTHONPATH (when running from a build tree; installed, it is in
/// dist-packages) and the notebook's folder as working directory.
KernelLaunchOptions notebookLaunchOptions(const QString &workspacePath, const QString &notebookPath);
/// The folder holding the `cairn` Python package for kernels, or "" when Python finds it itself.
QString pythonClientDirectory();

/// Runs the code cells of a notebook one after another on a ready kernel and stores their
/// outputs and execution counts in the notebook (what `jupyter nbconvert --execute` does).
class NotebookRunner : public QObject
{
    Q_OBJECT
public:
    struct Result
    {
        bool ok = true;
        int failedCell = -1;  ///< index into Notebook::cells()
        QString ename;
        QString evalue;
        QStringList traceback; ///< with ANSI colours, as the kernel sent it
        bool timedOut = false;
        bool kernelDied = false;
        int executedCells = 0;
    };

    explicit NotebookRunner(KernelClient *client, QObject *parent = nullptr);

    /// A cell that runs longer than this is interrupted and counts as an error (0: no limit).
    void setCellTimeout(int ms) { m_timeoutMs = ms; }
    /// Called before each code cell runs (index into cells()).
    void setProgressCallback(std::function<void(int index, int total)> callback) { m_progress = std::move(callback); }

    /// Blocks (running an event loop) until every cell ran or one failed.
    Result run(Notebook &notebook);
    /// Runs one piece of code and collects its outputs; used by run().
    Result runCell(NotebookCell &cell);

private:
    KernelClient *m_client;
    int m_timeoutMs = 0;
    std::function<void(int, int)> m_progress;
};

} // namespace cairn
