#pragma once

#include "cairn/serving/servedmodel.h"

#include <QList>
#include <QString>

#include <atomic>
#include <functional>

namespace cairn::serving {

/// SageMaker-style batch transform of CSV files: each input file becomes <output>/<file>.out
/// (a header, then one prediction row per input record, optionally joined to the input line).
/// Records are cut into mini-batches of at most `maxPayloadBytes` at line ends and predicted on
/// `parallel` threads, written in input order. A record that cannot be read goes, with its line
/// number, to <file>.out.errors while the rest go on. Progress is kept in <file>.out.progress
/// next to <file>.out.partial, so a run that was interrupted (even by kill -9) resumes where it
/// stopped; a file whose .out exists is not done again.
class BatchTransform
{
public:
    struct Options
    {
        QString input;       ///< a CSV file or a folder of them
        QString output;      ///< folder for the .out files
        qint64 maxPayloadBytes = 6 * 1024 * 1024;
        bool splitLines = true; ///< SplitType Line; false: SplitType None (a file is one batch)
        bool joinSource = false;
        int parallel = 1;
    };

    struct Progress
    {
        QString file;
        int fileIndex = 0;
        int fileCount = 0;
        qint64 bytesDone = 0;   ///< of the current file
        qint64 bytesTotal = 0;
        qint64 records = 0;     ///< predicted so far, all files
        qint64 failed = 0;
    };

    struct FileResult
    {
        QString input;
        QString output;
        QString errors;          ///< empty when every record succeeded
        qint64 records = 0;
        qint64 failed = 0;
        qint64 resumedAtLine = 0; ///< > 0: this run continued an interrupted one
        bool alreadyDone = false;
        bool finished = false;   ///< false when stopped early
    };

    BatchTransform(const ServedModel &model, Options options);

    /// Input files in the order they are transformed; throws cairn::Error when there are none.
    QStringList inputFiles() const;
    /// Transforms every input file. `stop`, when it turns true, ends the run after the batch
    /// being written (the rest resumes next time). Throws cairn::Error for a file that cannot
    /// be read or written.
    QList<FileResult> run(const std::function<void(const Progress &)> &progress = {}, const std::atomic<bool> *stop = nullptr);

private:
    FileResult transformFile(const QString &path, int index, int count, const std::function<void(const Progress &)> &progress,
                             const std::atomic<bool> *stop, qint64 &recordsSoFar, qint64 &failedSoFar);

    const ServedModel &m_model;
    Options m_options;
};

} // namespace cairn::serving
