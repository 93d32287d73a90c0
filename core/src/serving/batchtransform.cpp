#include "cairn/serving/batchtransform.h"

#include "cairn/data/csvwriter.h"
#include "cairn/util/error.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFuture>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <cstring>
#include <deque>

namespace cairn::serving {

namespace {

struct Batch
{
    qint64 begin = 0;
    qint64 end = 0;
    qint64 firstLine = 0; ///< 1-based line number in the file of the batch's first line
    qint64 lines = 0;
};

struct BatchResult
{
    Batch batch;
    QByteArray out;
    QByteArray errors;
    QByteArray header; ///< the prediction columns (from the first rows predicted)
    qint64 records = 0;
    qint64 failed = 0;
};

qint64 countLines(const char *from, const char *to)
{
    qint64 n = 0;
    for (const char *p = from; p < to && (p = static_cast<const char *>(std::memchr(p, '\n', size_t(to - p)))); ++p)
        ++n;
    if (to > from && to[-1] != '\n')
        ++n;
    return n;
}

QByteArrayView chompLine(QByteArrayView line)
{
    if (line.endsWith('\n'))
        line.chop(1);
    if (line.endsWith('\r'))
        line.chop(1);
    return line;
}

/// The first `n` lines of `text` and the rest.
std::pair<QByteArrayView, QByteArrayView> splitAfterLines(QByteArrayView text, qint64 n)
{
    qsizetype pos = 0;
    for (qint64 i = 0; i < n && pos < text.size(); ++i) {
        const qsizetype nl = text.indexOf('\n', pos);
        pos = nl < 0 ? text.size() : nl + 1;
    }
    return {text.first(pos), text.sliced(pos)};
}

class Worker
{
public:
    Worker(const ServedModel &model, QByteArrayView csvHeader, QByteArrayView inputHeader, bool join)
        : m_model(model), m_header(csvHeader.toByteArray()), m_inputHeader(inputHeader.toByteArray()), m_join(join) {}

    BatchResult run(QByteArrayView data, const Batch &batch) const
    {
        BatchResult r;
        r.batch = batch;
        process(data.sliced(batch.begin, batch.end - batch.begin), batch.firstLine, r);
        return r;
    }

private:
    /// Predicts `lines`; a record that cannot be read is set aside and the others go on.
    void process(QByteArrayView lines, qint64 firstLine, BatchResult &r) const
    {
        while (!lines.trimmed().isEmpty()) {
            QByteArray text = m_header;
            text += '\n';
            text += lines;
            try {
                const data::Table table = m_model.readCsv(text, QStringLiteral("batch"));
                const Predictions p = m_model.predict(table);
                if (r.header.isEmpty())
                    r.header = ServedModel::csvHeader(p);
                const QByteArray rows = ServedModel::csvRows(p);
                r.records += p.rows();
                if (!m_join) {
                    r.out += rows;
                    return;
                }
                QByteArrayView rest = lines;
                qsizetype at = 0;
                for (qint64 i = 0; i < p.rows(); ++i) {
                    const qsizetype nl = rest.indexOf('\n');
                    const QByteArrayView input = chompLine(nl < 0 ? rest : rest.first(nl + 1));
                    rest = nl < 0 ? QByteArrayView() : rest.sliced(nl + 1);
                    const qsizetype end = rows.indexOf('\n', at);
                    r.out += input;
                    r.out += ',';
                    r.out += QByteArrayView(rows).sliced(at, end - at + 1);
                    at = end + 1;
                }
                return;
            } catch (const PayloadError &e) {
                const qint64 bad = e.row();
                if (bad <= 0) {
                    fail(lines, firstLine, e.message(), r);
                    return;
                }
                const auto [before, from] = splitAfterLines(lines, bad - 1);
                if (!before.isEmpty())
                    process(before, firstLine, r);
                const auto [line, after] = splitAfterLines(from, 1);
                r.errors += QStringLiteral("line %1: %2\n").arg(firstLine + bad - 1).arg(e.message()).toUtf8();
                ++r.failed;
                lines = after;
                firstLine += bad;
            } catch (const Error &e) {
                fail(lines, firstLine, e.message(), r);
                return;
            }
        }
    }

    void fail(QByteArrayView lines, qint64 firstLine, const QString &message, BatchResult &r) const
    {
        const qint64 n = countLines(lines.data(), lines.data() + lines.size());
        for (qint64 i = 0; i < n; ++i)
            r.errors += QStringLiteral("line %1: %2\n").arg(firstLine + i).arg(message).toUtf8();
        r.failed += n;
    }

    const ServedModel &m_model;
    QByteArray m_header;
    QByteArray m_inputHeader;
    bool m_join;
};

QJsonObject readJson(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

void writeJson(const QString &path, const QJsonObject &o)
{
    QSaveFile f(path);
    const QByteArray json = QJsonDocument(o).toJson(QJsonDocument::Compact);
    if (!f.open(QIODevice::WriteOnly) || f.write(json) != json.size() || !f.commit())
        throw Error(QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString()));
}

void truncateOrCreate(QFile &f, qint64 size)
{
    if (!f.open(QIODevice::ReadWrite))
        throw Error(QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString()));
    if (!f.resize(size) || !f.seek(size))
        throw Error(QStringLiteral("cannot resize %1: %2").arg(f.fileName(), f.errorString()));
}

} // namespace

BatchTransform::BatchTransform(const ServedModel &model, Options options) : m_model(model), m_options(std::move(options))
{
    if (m_model.takesImages())
        throw Error(QStringLiteral("batch transform reads CSV files and %1 classifies images: use cairn predict --input FOLDER").arg(m_model.modelDir()));
    m_options.parallel = std::max(1, m_options.parallel);
    if (m_options.maxPayloadBytes < 1)
        throw Error(QStringLiteral("the largest payload must be at least one byte"));
}

QStringList BatchTransform::inputFiles() const
{
    const QFileInfo info(m_options.input);
    if (!info.exists())
        throw Error(QStringLiteral("input %1 does not exist").arg(m_options.input));
    QStringList files;
    if (info.isDir()) {
        const QDir dir(info.absoluteFilePath());
        for (const QString &f : dir.entryList(QDir::Files | QDir::Readable, QDir::Name))
            files << dir.filePath(f);
    } else {
        files << info.absoluteFilePath();
    }
    if (files.isEmpty())
        throw Error(QStringLiteral("%1 holds no files to transform").arg(m_options.input));
    return files;
}

QList<BatchTransform::FileResult> BatchTransform::run(const std::function<void(const Progress &)> &progress, const std::atomic<bool> *stop)
{
    const QStringList files = inputFiles();
    if (!QDir().mkpath(m_options.output))
        throw Error(QStringLiteral("cannot create the output folder %1").arg(m_options.output));
    if (QFileInfo(m_options.output).canonicalFilePath() == QFileInfo(files.first()).canonicalPath() && QFileInfo(m_options.input).isDir())
        throw Error(QStringLiteral("the output folder must differ from the input folder (%1)").arg(m_options.output));
    QList<FileResult> results;
    qint64 records = 0, failed = 0;
    for (int i = 0; i < files.size(); ++i) {
        results << transformFile(files.at(i), i, int(files.size()), progress, stop, records, failed);
        if (!results.last().finished && !results.last().alreadyDone)
            break;
    }
    return results;
}

BatchTransform::FileResult BatchTransform::transformFile(const QString &path, int index, int count, const std::function<void(const Progress &)> &progress,
                                                         const std::atomic<bool> *stop, qint64 &recordsSoFar, qint64 &failedSoFar)
{
    FileResult result;
    result.input = path;
    const QString base = QDir(m_options.output).filePath(QFileInfo(path).fileName() + QStringLiteral(".out"));
    result.output = base;
    const QString partialPath = base + QStringLiteral(".partial");
    const QString progressPath = base + QStringLiteral(".progress");
    const QString errorsPath = base + QStringLiteral(".errors");
    if (QFileInfo::exists(base) && !QFileInfo::exists(progressPath)) {
        result.alreadyDone = true;
        result.finished = true;
        if (QFileInfo(errorsPath).size() > 0)
            result.errors = errorsPath;
        return result;
    }

    QFile in(path);
    if (!in.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("cannot read %1: %2").arg(path, in.errorString()));
    const qint64 size = in.size();
    const QDateTime modified = QFileInfo(path).lastModified();
    QByteArray buffered;
    const char *data = nullptr;
    if (size > 0) {
        data = reinterpret_cast<const char *>(in.map(0, size));
        if (!data) {
            buffered = in.readAll();
            data = buffered.constData();
        }
    }
    const QByteArrayView all(data, size);

    // A first line naming every input column is the header; else the columns come in input order.
    const qsizetype firstEnd = all.indexOf('\n');
    const QByteArrayView firstLine = chompLine(firstEnd < 0 ? all : all.first(firstEnd + 1));
    QStringList fields;
    for (const QByteArray &f : firstLine.toByteArray().split(',')) {
        QByteArray t = f.trimmed();
        if (t.size() >= 2 && t.startsWith('"') && t.endsWith('"'))
            t = t.mid(1, t.size() - 2);
        fields << QString::fromUtf8(t);
    }
    bool hasHeader = !firstLine.isEmpty();
    for (const QString &c : m_model.inputColumns())
        hasHeader = hasHeader && fields.contains(c);
    const QByteArray inputHeader = hasHeader ? firstLine.toByteArray() : data::csvLine(m_model.inputColumns()).chopped(1);
    const qint64 bodyStart = hasHeader ? (firstEnd < 0 ? size : firstEnd + 1) : 0;

    qint64 offset = bodyStart, line = hasHeader ? 2 : 1, outBytes = 0, errBytes = 0, records = 0, failed = 0;
    bool headerWritten = false;
    const QJsonObject saved = readJson(progressPath);
    if (!saved.isEmpty() && saved.value(QStringLiteral("inputBytes")).toInteger() == size
        && saved.value(QStringLiteral("inputModified")).toInteger() == modified.toMSecsSinceEpoch()
        && saved.value(QStringLiteral("joinSource")).toBool() == m_options.joinSource && QFileInfo::exists(partialPath)) {
        offset = saved.value(QStringLiteral("offset")).toInteger();
        line = saved.value(QStringLiteral("line")).toInteger();
        outBytes = saved.value(QStringLiteral("outBytes")).toInteger();
        errBytes = saved.value(QStringLiteral("errBytes")).toInteger();
        records = saved.value(QStringLiteral("records")).toInteger();
        failed = saved.value(QStringLiteral("failed")).toInteger();
        headerWritten = saved.value(QStringLiteral("headerWritten")).toBool();
        result.resumedAtLine = line;
    }
    QFile out(partialPath), errors(errorsPath);
    truncateOrCreate(out, outBytes);
    if (errBytes > 0 || QFileInfo::exists(errorsPath))
        truncateOrCreate(errors, errBytes);

    auto save = [&] {
        writeJson(progressPath, QJsonObject{{QStringLiteral("input"), path},
                                            {QStringLiteral("inputBytes"), size},
                                            {QStringLiteral("inputModified"), modified.toMSecsSinceEpoch()},
                                            {QStringLiteral("joinSource"), m_options.joinSource},
                                            {QStringLiteral("offset"), offset},
                                            {QStringLiteral("line"), line},
                                            {QStringLiteral("outBytes"), outBytes},
                                            {QStringLiteral("errBytes"), errBytes},
                                            {QStringLiteral("records"), records},
                                            {QStringLiteral("failed"), failed},
                                            {QStringLiteral("headerWritten"), headerWritten}});
    };
    save();

    // Mini-batches: whole lines up to the payload limit (a longer line is a batch of its own).
    qint64 next = offset, nextLine = line;
    auto nextBatch = [&]() -> std::optional<Batch> {
        if (next >= size)
            return std::nullopt;
        Batch b;
        b.begin = next;
        b.firstLine = nextLine;
        if (!m_options.splitLines) {
            b.end = size;
        } else {
            qint64 end = std::min(size, next + m_options.maxPayloadBytes);
            if (end < size) {
                const void *nl = memrchr(data + next, '\n', size_t(end - next));
                if (nl) {
                    end = static_cast<const char *>(nl) - data + 1;
                } else {
                    const void *after = std::memchr(data + end, '\n', size_t(size - end));
                    end = after ? static_cast<const char *>(after) - data + 1 : size;
                }
            }
            b.end = end;
        }
        b.lines = countLines(data + b.begin, data + b.end);
        next = b.end;
        nextLine += b.lines;
        return b;
    };

    const Worker worker(m_model, inputHeader, inputHeader, m_options.joinSource);
    QThreadPool pool;
    pool.setMaxThreadCount(m_options.parallel);
    std::deque<QFuture<BatchResult>> running;
    auto submit = [&] {
        while (int(running.size()) < m_options.parallel * 2) {
            const std::optional<Batch> b = nextBatch();
            if (!b)
                return;
            running.push_back(QtConcurrent::run(&pool, [&worker, all, b = *b] { return worker.run(all, b); }));
        }
    };
    submit();
    bool stopped = false;
    while (!running.empty()) {
        BatchResult r = running.front().result();
        running.pop_front();
        if (!headerWritten && !r.header.isEmpty()) {
            const QByteArray header = m_options.joinSource ? inputHeader + ',' + r.header : r.header;
            if (out.write(header) != header.size())
                throw Error(QStringLiteral("cannot write %1: %2").arg(out.fileName(), out.errorString()));
            outBytes += header.size();
            headerWritten = true;
        }
        if (out.write(r.out) != r.out.size() || !out.flush())
            throw Error(QStringLiteral("cannot write %1: %2").arg(out.fileName(), out.errorString()));
        if (!r.errors.isEmpty()) {
            if (!errors.isOpen())
                truncateOrCreate(errors, 0);
            if (errors.write(r.errors) != r.errors.size() || !errors.flush())
                throw Error(QStringLiteral("cannot write %1: %2").arg(errors.fileName(), errors.errorString()));
        }
        outBytes += r.out.size();
        errBytes += r.errors.size();
        records += r.records;
        failed += r.failed;
        offset = r.batch.end;
        line = r.batch.firstLine + r.batch.lines;
        save();
        recordsSoFar += r.records;
        failedSoFar += r.failed;
        if (progress)
            progress(Progress{path, index, count, offset, size, recordsSoFar, failedSoFar});
        if (stop && stop->load()) {
            stopped = true;
            break;
        }
        submit();
    }
    for (QFuture<BatchResult> &f : running)
        f.waitForFinished();
    result.records = records;
    result.failed = failed;
    if (errBytes > 0)
        result.errors = errorsPath;
    if (stopped)
        return result;
    out.close();
    errors.close();
    QFile::remove(base);
    if (!QFile::rename(partialPath, base))
        throw Error(QStringLiteral("cannot rename %1 to %2").arg(partialPath, base));
    if (errBytes == 0)
        QFile::remove(errorsPath);
    QFile::remove(progressPath);
    result.finished = true;
    return result;
}

} // namespace cairn::serving
