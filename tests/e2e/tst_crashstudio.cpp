// Crash consistency of the studio itself: the real cairn-studio on a private Xvfb, driven by keys
// from xdotool, killed with SIGKILL at a seeded random moment (c1) while an image is labeled
// after another, (c2) while a notebook is typed into with autosave every second.
// Acknowledged = what the test read back from disk before the kill: labels from the labeling
// job's store (its own connection), notebook versions from the file after an "autosaved" line.
// After each kill: the labels store passes `PRAGMA integrity_check` and keeps every acknowledged
// label; the notebook is a whole file holding a version the editor had (a prefix of the typed
// text), no older than the last acknowledged one.
// CAIRN_CRASH_SEEDS sets the kills per case (default 2 for CI; docs/development.md: 50).
#include "crashkill.h"
#include "studioprocess.h"

#include "../core/labeling/labelingtestutil.h"

#include "cairn/labeling/labelingjob.h"
#include "cairn/notebook/notebook.h"
#include "cairn/util/error.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonObject>
#include <QSettings>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <csignal>

using namespace cairn;

namespace {

const QString kStudio = QStringLiteral(CAIRN_STUDIO_PATH);

/// item → class of every labeled item of the job, as its store returns them now.
QHash<int, int> labelsOf(const QString &workspace, const QString &job)
{
    QHash<int, int> out;
    try {
        const auto j = labeling::LabelingJob::open(workspace, job);
        for (int i = 0; i < j->itemCount(); ++i)
            if (j->item(i).status == labeling::ItemStatus::Labeled && !j->item(i).annotation.classes.isEmpty())
                out.insert(i, j->item(i).annotation.classes.first());
    } catch (const Error &) {
        // not created yet
    }
    return out;
}

/// What the user types after the "#" of a comment: digits and spaces only, so that no editor
/// help (completion popups for names, closing brackets) changes it or takes the focus.
QString typedText(int seed)
{
    QString text = QStringLiteral(" %1").arg(seed);
    for (int i = 0; text.size() < 600; ++i)
        text += QLatin1Char(' ') + QString(QChar(QLatin1Char('0' + i % 10))).repeated(3 + i % 5);
    return text;
}

} // namespace

class TestCrashStudio : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<StudioDriver> m_driver;

    void setSetting(const QString &key, const QVariant &value)
    {
        QSettings conf(m_driver->configFile(), QSettings::IniFormat);
        conf.setValue(key, value);
    }

    /// Reads the studio's log (stderr) without blocking.
    static void pump(QProcess &studio, QByteArray *log)
    {
        studio.waitForReadyRead(10);
        *log += studio.readAllStandardError();
    }

    /// A left click at (x, y) of the studio's main window (1200×800).
    bool clickInWindow(int x, int y)
    {
        QString window;
        if (!m_driver->xdotool({QStringLiteral("search"), QStringLiteral("--onlyvisible"), QStringLiteral("--name"), QStringLiteral("Cairn Studio")},
                               &window))
            return false;
        return m_driver->xdotool({QStringLiteral("mousemove"), QStringLiteral("--window"), window.split(QLatin1Char('\n'), Qt::SkipEmptyParts).value(0),
                                  QString::number(x), QString::number(y), QStringLiteral("click"), QStringLiteral("1")});
    }

    static void kill9(QProcess &studio)
    {
        ::kill(pid_t(studio.processId()), SIGKILL);
        studio.waitForFinished(30000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFileInfo::exists(kStudio), qPrintable(kStudio));
        m_driver = std::make_unique<StudioDriver>(m_dir.path());
        if (!m_driver->startDisplay(QStringLiteral("cairn.notebook.ui.info=true")))
            QSKIP(qPrintable(m_driver->error()));
    }

    // (c1) Each seed labels a fresh job (the 200 Fashion-MNIST images) by pressing class keys
    // 1..9, 0 in turn; every label the store returned before the kill must be there after it.
    void labelingSurvivesKill()
    {
        QVERIFY2(QFileInfo::exists(labelingtest::fashionDir()), "../shared/data is missing: the job labels its images/fashion200");
        const QString ws = m_dir.filePath(QStringLiteral("label-ws"));
        const QString name = QStringLiteral("crash");
        const int seeds = crashkill::seedCount(2);
        int acknowledgedTotal = 0;
        QElapsedTimer clock;
        clock.start();
        for (int seed = 0; seed < seeds; ++seed) {
            const QString where = QStringLiteral("seed %1").arg(seed);
            QDir(labeling::LabelingJob::jobDir(ws, name)).removeRecursively();
            labelingtest::makeJob(ws, name, labeling::TaskType::SingleLabel, labelingtest::fashionDir(), labelingtest::fashionClasses());
            std::mt19937 rng = crashkill::rngFor(seed);
            const int delayMs = crashkill::uniform(rng, 0, 2500);

            QProcess studio;
            QByteArray log;
            QVERIFY2(m_driver->launch(studio, kStudio,
                                      {QStringLiteral("--workspace"), ws, QStringLiteral("--panel"), QStringLiteral("labeling"),
                                       QStringLiteral("--size"), QStringLiteral("1200x800")},
                                      QByteArray(), &log),
                     qPrintable(where + QStringLiteral(": the studio did not show its window")));
            // Keys go on being pressed in the background until the kill (a class key labels the
            // image shown and moves to the next).
            QProcess keys;
            keys.setProcessEnvironment(m_driver->env());
            QStringList keyArgs{QStringLiteral("key"), QStringLiteral("--delay"), QStringLiteral("40")};
            for (int i = 0; i < 30; ++i)
                keyArgs << QString::number((i + 1) % 10);
            QHash<int, int> acknowledged;
            QElapsedTimer timer;
            timer.start();
            bool started = false;
            while (studio.state() == QProcess::Running) {
                if (keys.state() == QProcess::NotRunning) {
                    // A click on the image puts the keyboard focus into the panel (class keys
                    // are the panel's shortcuts); until the first label, click again each round.
                    if (!started)
                        clickInWindow(630, 430);
                    keys.start(QStringLiteral("xdotool"), keyArgs);
                }
                pump(studio, &log);
                acknowledged = labelsOf(ws, name); // the kill comes right after a read
                if (!started && !acknowledged.isEmpty()) {
                    started = true;
                    timer.restart();
                }
                if (started && timer.elapsed() >= delayMs)
                    break;
                QVERIFY2(started || timer.elapsed() < 90000, qPrintable(where + QStringLiteral(": no label stored within 90 s: ") + QString::fromLocal8Bit(log)));
                QThread::msleep(30);
            }
            QVERIFY2(studio.state() == QProcess::Running, qPrintable(where + QStringLiteral(": the studio ended: ") + QString::fromLocal8Bit(log)));
            kill9(studio);
            keys.kill();
            keys.waitForFinished(10000);

            const QString db = labeling::LabelingJob::jobDir(ws, name) + QStringLiteral("/labels.db");
            QCOMPARE(crashkill::integrityOf(db), QStringLiteral("ok"));
            const QHash<int, int> after = labelsOf(ws, name);
            for (auto it = acknowledged.cbegin(); it != acknowledged.cend(); ++it)
                QVERIFY2(after.value(it.key(), -1) == it.value(),
                         qPrintable(where + QStringLiteral(": item %1 was labeled %2, now %3").arg(it.key()).arg(it.value()).arg(after.value(it.key(), -1))));
            QVERIFY(after.size() >= acknowledged.size());
            acknowledgedTotal += int(acknowledged.size());
        }
        qInfo("%d kills of the studio while labeling in %.1f s; %d labels acknowledged before the kills, all there", seeds,
              clock.elapsed() / 1000.0, acknowledgedTotal);
        QVERIFY(acknowledgedTotal > 0);
    }

    // (c2) Each seed types into a notebook that also holds 4 MB of output (so that a save takes
    // long enough to be cut); autosave writes it every second.
    void notebookAutosaveSurvivesKill()
    {
        const QString ws = m_dir.filePath(QStringLiteral("nb-ws"));
        QVERIFY(QDir().mkpath(ws + QStringLiteral("/notebooks")));
        const QString path = ws + QStringLiteral("/notebooks/typed.ipynb");
        setSetting(QStringLiteral("notebooks/autosaveSeconds"), 1);
        const QString bigOutput = QString(4 * 1024 * 1024, QLatin1Char('x'));
        const int seeds = crashkill::seedCount(2);
        int autosaves = 0, killedAfterSave = 0;
        QElapsedTimer clock;
        clock.start();
        for (int seed = 0; seed < seeds; ++seed) {
            const QString where = QStringLiteral("seed %1").arg(seed);
            {
                Notebook nb; // an empty code cell, then a cell with the big output
                NotebookCell big(CellType::Code, QStringLiteral("print('x' * 4194304)"));
                big.setOutputs(QJsonArray{QJsonObject{{QStringLiteral("output_type"), QStringLiteral("stream")},
                                                      {QStringLiteral("name"), QStringLiteral("stdout")},
                                                      {QStringLiteral("text"), bigOutput}}});
                nb.cells().append(big);
                nb.save(path);
            }
            std::mt19937 rng = crashkill::rngFor(seed);
            const int delayMs = crashkill::uniform(rng, 0, 3000);

            QProcess studio;
            QByteArray log;
            QVERIFY2(m_driver->launch(studio, kStudio,
                                      {QStringLiteral("--workspace"), ws, QStringLiteral("--panel"), QStringLiteral("notebooks"),
                                       QStringLiteral("--size"), QStringLiteral("1200x800"), path},
                                      QByteArrayLiteral("opened "), &log),
                     qPrintable(where + QStringLiteral(": the studio did not open the notebook")));
            // Into the first cell's editor: a click there, then "#", until an autosave shows it
            // in the cell (letters typed while the editor lacks the focus would be command-mode
            // keys: "a" adds a cell).
            QString typedSoFar;
            qsizetype seenSaves = 0;
            for (int attempt = 0; typedSoFar.isEmpty() && attempt < 5; ++attempt) {
                QVERIFY(clickInWindow(630, 146));
                QVERIFY(m_driver->xdotool({QStringLiteral("type"), QStringLiteral("#")}));
                QElapsedTimer wait;
                wait.start();
                while (typedSoFar.isEmpty() && wait.elapsed() < 20000 && studio.state() == QProcess::Running) {
                    pump(studio, &log);
                    if (const qsizetype saves = log.count("autosaved "); saves > seenSaves) {
                        seenSaves = saves;
                        typedSoFar = Notebook::load(path).cells().first().source();
                    }
                }
            }
            QVERIFY2(typedSoFar.startsWith(QLatin1Char('#')) && typedSoFar.count(QLatin1Char('#')) == typedSoFar.size(),
                     qPrintable(where + QStringLiteral(": typing did not reach the cell: '%1'").arg(typedSoFar)));
            const QString text = typedSoFar + typedText(seed);
            QProcess typing;
            typing.setProcessEnvironment(m_driver->env());
            typing.start(QStringLiteral("xdotool"), {QStringLiteral("type"), QStringLiteral("--delay"), QStringLiteral("15"), text.mid(typedSoFar.size())});
            QString acknowledged = typedSoFar; // the cell's source in the last version read back after an autosave
            QElapsedTimer timer;
            timer.start();
            bool started = false;
            while (studio.state() == QProcess::Running) {
                pump(studio, &log);
                if (const qsizetype saves = log.count("autosaved "); saves > seenSaves) {
                    seenSaves = saves;
                    acknowledged = Notebook::load(path).cells().first().source();
                    if (!started) {
                        started = true;
                        timer.restart();
                    }
                }
                if (started && timer.elapsed() >= delayMs)
                    break;
                QVERIFY2(started || timer.elapsed() < 90000, qPrintable(where + QStringLiteral(": no autosave within 90 s: ") + QString::fromLocal8Bit(log)));
            }
            QVERIFY2(studio.state() == QProcess::Running, qPrintable(where + QStringLiteral(": the studio ended: ") + QString::fromLocal8Bit(log)));
            kill9(studio);
            typing.kill();
            typing.waitForFinished(10000);
            autosaves += int(seenSaves);

            Notebook nb;
            try {
                nb = Notebook::load(path);
            } catch (const Error &e) {
                QFAIL(qPrintable(where + QStringLiteral(": the notebook does not open after the kill: ") + e.message()));
            }
            QStringList sources;
            for (const NotebookCell &c : nb.cells())
                sources << c.source().left(80);
            QVERIFY2(nb.cells().size() == 2, qPrintable(where + QStringLiteral(": %1 cells: '%2'").arg(nb.cells().size()).arg(sources.join(QStringLiteral("' '")))));
            const QString source = nb.cells().first().source();
            QVERIFY2(text.startsWith(source), qPrintable(where + QStringLiteral(": not a version the editor had: '%1'").arg(source)));
            QVERIFY2(source.size() >= acknowledged.size(),
                     qPrintable(where + QStringLiteral(": older than acknowledged: '%1' < '%2'").arg(source, acknowledged)));
            QCOMPARE(nb.cells().at(1).outputs().first().toObject().value(QStringLiteral("text")).toString().size(), bigOutput.size());
            if (source.size() > acknowledged.size())
                ++killedAfterSave; // the kill came after a save the test had not read back yet
            QVERIFY2(QDir(ws + QStringLiteral("/notebooks")).entryList(QDir::Files | QDir::Hidden).size() == 1,
                     qPrintable(where + QStringLiteral(": files left beside the notebook: ") +
                                QDir(ws + QStringLiteral("/notebooks")).entryList(QDir::Files | QDir::Hidden).join(QLatin1Char(' '))));
        }
        qInfo("%d kills of the studio while typing in %.1f s; %d autosaves read back, always a whole notebook; %d times the file held a newer "
              "version than the last one read back",
              seeds, clock.elapsed() / 1000.0, autosaves, killedAfterSave);
        QVERIFY(autosaves > 0);
    }
};

QTEST_GUILESS_MAIN(TestCrashStudio)
#include "tst_crashstudio.moc"
