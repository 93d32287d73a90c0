// The AutoML engine with the real plugins and real `cairn worker` processes, on tiny budgets:
// k-fold for small tables and hold-out for large ones, a leaderboard sorted by an objective that
// is one of its metrics, a saved model that predicts raw rows (an ensemble that averages its
// members), a failing candidate that does not stop the search, and a metric that does not fit.
#include "cairn/algorithms/ensemble.h"
#include "cairn/algorithms/modelloader.h"
#include "cairn/algorithms/pluginmanager.h"
#include "cairn/automl/automljob.h"
#include "cairn/data/csvreader.h"
#include "cairn/jobs/jobmanager.h"
#include "cairn/store/experimentstore.h"
#include "cairn/util/error.h"
#include "cairn/workspace/workspace.h"

#include "../../../core/src/automl/automlsupport.h" // the scoring rules AutoML selects by

#include <QDir>
#include <QElapsedTimer>
#include <QHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <random>

using namespace cairn;
using namespace cairn::automl;

namespace {
QString dataFile(const QString &name)
{
    return QStringLiteral(CAIRN_SHARED_DATA_DIR "/tabular/") + name;
}

QJsonObject readJson(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}
} // namespace

class TestAutoMLJob : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Workspace> m_ws;
    std::unique_ptr<JobManager> m_jobs;

    /// Runs the job to its end; returns finished()'s arguments.
    std::pair<bool, QString> runToEnd(AutoMLJob &job, int timeoutMs = 170000)
    {
        QSignalSpy done(&job, &AutoMLJob::finished);
        job.start();
        if (!job.isFinished() && !done.wait(timeoutMs))
            return {false, QStringLiteral("timed out")};
        if (done.isEmpty())
            return {false, QStringLiteral("no finished signal")};
        return {done.first().at(0).toBool(), done.first().at(1).toString()};
    }

    static void checkLeaderboard(const AutoMLJob &job)
    {
        const QList<Candidate> board = job.leaderboard();
        QVERIFY(!board.isEmpty());
        QCOMPARE(board.first().state, QStringLiteral("finished"));
        double previous = std::nan("");
        bool seenUnfinished = false;
        for (const Candidate &c : board) {
            if (c.state != QLatin1String("finished")) {
                seenUnfinished = true;
                continue;
            }
            QVERIFY2(!seenUnfinished, "finished candidates come first");
            QVERIFY(std::isfinite(c.objective));
            // The objective is the chosen metric on the out-of-fold predictions.
            QCOMPARE(c.objective, c.metrics.value(job.metric()));
            for (const QString &m : metricsFor(job.profile().task))
                QVERIFY2(c.metrics.contains(m), qPrintable(m));
            if (!std::isnan(previous))
                QVERIFY(job.maximize() ? c.objective <= previous : c.objective >= previous);
            previous = c.objective;
            QVERIFY(c.predictMicrosPerRow > 0);
            QVERIFY(c.trainSeconds > 0);
            QVERIFY(!c.runUuid.isEmpty());
        }
    }

    /// `p` (the predictions of the ensemble or stack saved in `dir`) combines its members' as its card says.
    static void checkCombination(PluginManager &plugins, const QString &dir, const PredictionInput &input, const Predictions &p)
    {
        const ModelCard card = ModelCard::load(dir);
        const QList<EnsembleMember> members = ensembleMembers(card);
        const StackCombiner stack = StackCombiner::fromJson(card.extra.value(QStringLiteral("stack")).toObject(), members.size(), card.classes.size());
        const qsizetype rows = p.rows(), k = card.classes.size();
        QVERIFY(stack.isNone() ? members.size() >= 5 : members.size() >= 2);
        std::vector<double> expected(size_t(rows * k), 0.0), each(size_t(rows * k) * size_t(members.size()));
        double total = 0;
        for (qsizetype i = 0; i < members.size(); ++i) {
            const EnsembleMember &m = members.at(i);
            std::unique_ptr<Predictor> member = loadPredictor(plugins, QDir(dir).filePath(m.path));
            const Predictions mp = member->predict(input);
            for (qsizetype r = 0; r < rows; ++r)
                for (qsizetype j = 0; j < k; ++j) {
                    const double v = mp.probabilities[size_t(r * mp.classes.size() + mp.classes.indexOf(p.classes.at(j)))];
                    expected[size_t(r * k + j)] += m.weight * v;
                    each[size_t((r * members.size() + i) * k + j)] = v;
                }
            total += m.weight;
        }
        QVERIFY(std::abs(total - 1) < 1e-9);
        if (!stack.isNone())
            for (qsizetype r = 0; r < rows; ++r)
                stack.combineRow(&each[size_t(r * members.size() * k)], k, &expected[size_t(r * k)]);
        for (size_t i = 0; i < expected.size(); ++i)
            QVERIFY2(std::abs(expected[i] - p.probabilities[i]) < 1e-5, qPrintable(QStringLiteral("%1 vs %2").arg(expected[i]).arg(p.probabilities[i])));
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_ws = std::make_unique<Workspace>(m_dir->path());
        m_jobs = std::make_unique<JobManager>(*m_ws);
        m_jobs->setWorkerCommand(QStringLiteral(CAIRN_CLI_PATH));
        m_jobs->setFlushInterval(50);
    }

    void cleanup()
    {
        m_jobs.reset();
        m_ws.reset();
        m_dir.reset();
    }

    void foldsAreStratifiedAndBalanced()
    {
        std::vector<int> strata;
        for (int i = 0; i < 103; ++i)
            strata.push_back(i < 60 ? 0 : i < 100 ? 1 : 2); // class 2 has 3 rows: fewer than 5
        const std::vector<int> fold = kFoldAssignment(103, 5, 7, &strata);
        std::vector<int> sizes(5, 0), ones(5, 0);
        for (int i = 0; i < 103; ++i) {
            if (strata[size_t(i)] == 2) {
                QCOMPARE(fold[size_t(i)], -1); // too rare to validate on: always trains
                continue;
            }
            QVERIFY(fold[size_t(i)] >= 0 && fold[size_t(i)] < 5);
            ++sizes[size_t(fold[size_t(i)])];
            ones[size_t(fold[size_t(i)])] += strata[size_t(i)];
        }
        for (int f = 0; f < 5; ++f) {
            QCOMPARE(sizes[size_t(f)], 20);
            QCOMPARE(ones[size_t(f)], 8);
        }
        QCOMPARE(kFoldAssignment(103, 5, 7, &strata), fold); // seeded
        QVERIFY(kFoldAssignment(103, 5, 8, &strata) != fold);
    }

    void greedyEnsemblePicksTheMixThatScoresBest()
    {
        // Truth 0, 1, 0, 1; a is right on the first two rows, b on the last two.
        const std::vector<double> truth{0, 1, 0, 1};
        const std::vector<std::vector<double>> preds{{0, 1, 1, 0}, {1, 0, 0, 1}, {1, 1, 1, 1}};
        auto mse = [&](const std::vector<double> &p) {
            double s = 0;
            for (size_t i = 0; i < p.size(); ++i)
                s += (p[i] - truth[i]) * (p[i] - truth[i]);
            return s;
        };
        const std::vector<double> w = greedyEnsemble(preds, 10, mse);
        QCOMPARE(w.size(), size_t(3));
        QCOMPARE(w[0], 0.5);
        QCOMPARE(w[1], 0.5);
        QCOMPARE(w[2], 0.0);
    }

    void logTargetTransformMapsBackWithinBounds()
    {
        const TargetTransform t = TargetTransform::log1p({15, 50, 1238, std::nan("")});
        QCOMPARE(t.name, QStringLiteral("log1p"));
        for (double y : {15.0, 50.0, 1238.0, 20.5})
            QVERIFY(std::abs(t.inverse(t.forward(y)) - y) < 1e-9 * std::max(1.0, y));
        // Bounds one unit beyond the learnt range: an extrapolating model cannot predict e^100.
        QVERIFY(std::abs(t.inverse(100) - std::expm1(std::log1p(1238.0) + 1)) < 1e-6);
        QVERIFY(std::abs(t.inverse(-100) - std::expm1(std::log1p(15.0) - 1)) < 1e-9);
        QVERIFY(std::isnan(t.inverse(std::nan(""))));
        const TargetTransform back = TargetTransform::fromJson(t.toJson());
        QCOMPARE(back.name, t.name);
        QCOMPARE(back.low, t.low);
        QCOMPARE(back.high, t.high);
        QVERIFY(TargetTransform::fromJson({}).isNone());
        QCOMPARE(TargetTransform().inverse(-3.5), -3.5);
        QVERIFY_THROWS_EXCEPTION(Error, TargetTransform::fromJson(QJsonObject{{QStringLiteral("name"), QStringLiteral("sqrt")}}));
        // A saved transform without its bounds (an edited or cut model file) is refused, not read as unbounded.
        QVERIFY_THROWS_EXCEPTION(Error, TargetTransform::fromJson(QJsonObject{{QStringLiteral("name"), QStringLiteral("log1p")}}));
        QVERIFY_THROWS_EXCEPTION(Error, TargetTransform::fromJson(QJsonObject{{QStringLiteral("name"), QStringLiteral("log1p")},
                                                                              {QStringLiteral("low"), QStringLiteral("x")},
                                                                              {QStringLiteral("high"), 3.0}}));
    }

    void onlySkewedPositiveTargetsLearnTheLog()
    {
        std::mt19937_64 rng(5);
        std::normal_distribution<double> z(0, 1);
        std::vector<double> lognormal, normal;
        for (int i = 0; i < 200; ++i) {
            lognormal.push_back(std::exp(3 + 1.2 * z(rng)));
            normal.push_back(100 + 10 * z(rng));
        }
        QVERIFY(skewedPositiveTarget(lognormal));
        QVERIFY(!skewedPositiveTarget(normal));          // not skewed
        std::vector<double> withZero = lognormal;
        withZero[7] = 0;
        QVERIFY(!skewedPositiveTarget(withZero));        // counts with zeros: not strictly positive
        std::vector<double> withNaN = lognormal;
        withNaN[3] = std::nan("");
        QVERIFY(skewedPositiveTarget(withNaN));          // missing values are ignored
        QVERIFY(!skewedPositiveTarget(std::vector<double>(lognormal.begin(), lognormal.begin() + 19)));
    }

    void aFewExtremeRowsDoNotDecideTheSelection()
    {
        // 50 rows in 5 folds; row 0 is far above the rest and validated in fold 0 only. The tree-like
        // candidate is close everywhere but predicts row 0 near the largest value it trained on; the
        // extrapolating one hits row 0 and is worse on every other row. Pooled R² is decided by row 0.
        detail::PreparedData p;
        p.task = Task::Regression;
        p.metric = QStringLiteral("r2");
        p.maximize = true;
        p.folds = 5;
        std::vector<double> tree, extrapolating;
        std::mt19937_64 rng(3);
        std::normal_distribution<double> z(0, 1);
        for (int r = 0; r < 50; ++r) {
            const double y = r == 0 ? 1000 : 25 + 5 * (r % 7); // every fold trains on the lowest value
            p.values.push_back(y);
            p.fold.push_back(r % 5);
            tree.push_back(r == 0 ? 70 : y + 2 * z(rng));
            extrapolating.push_back(r == 0 ? 990 : y + 6 * z(rng));
        }
        p.repeatFold = {p.fold};
        const std::vector<qsizetype> rows = p.scoredRows();
        auto pooled = [&](const std::vector<double> &pred) { return detail::scoreCompact(p, pred, rows).value(QStringLiteral("r2")); };
        QVERIFY(pooled(extrapolating) > pooled(tree));
        // Without a skewed target the selection is the pooled objective itself.
        QCOMPARE(detail::selectionScore(p, tree, rows), pooled(tree));
        p.logTarget = TargetTransform::log1p(p.values);
        const double treeScore = detail::selectionScore(p, tree, rows), extrapolatingScore = detail::selectionScore(p, extrapolating, rows);
        QVERIFY2(treeScore > extrapolatingScore, qPrintable(QStringLiteral("%1 vs %2").arg(treeScore).arg(extrapolatingScore)));
        // Row 0 lies beyond every target its fold trained on: the score leaves it out, and only it.
        std::vector<qsizetype> rest(rows.begin() + 1, rows.end());
        QCOMPARE(treeScore, detail::scoreCompact(p, std::vector<double>(tree.begin() + 1, tree.end()), rest).value(QStringLiteral("r2")));
        // Large rows inside the range their fold trained on still count: rows 0 and 2 at 1000 (folds
        // 0 and 2 train on each other) and row 1 at 900; now the extrapolating candidate wins.
        p.values[1] = 900;
        p.values[2] = 1000;
        tree[1] = 120;
        extrapolating[1] = 880;
        QVERIFY(detail::selectionScore(p, extrapolating, rows) > detail::selectionScore(p, tree, rows));
    }

    /// A regression table of `n` rows in 5 folds, judged by R².
    static detail::PreparedData regressionData(const std::vector<double> &truth)
    {
        detail::PreparedData p;
        p.task = Task::Regression;
        p.metric = QStringLiteral("r2");
        p.maximize = true;
        p.folds = 5;
        p.values = truth;
        for (size_t r = 0; r < truth.size(); ++r)
            p.fold.push_back(int(r % 5));
        p.repeatFold = {p.fold};
        return p;
    }

    /// Caruana's selection cross-fitted over 5 row groups, as the finish does it.
    static std::vector<double> crossFittedEnsemble(const detail::PreparedData &p, const std::vector<std::vector<double>> &members,
                                                   const std::vector<qsizetype> &rows)
    {
        return detail::crossFit(rows.size(), 1, detail::rowGroups(rows.size(), 5, 42), [&](const std::vector<size_t> &fit) {
            std::vector<std::vector<double>> part(members.size());
            std::vector<qsizetype> partRows;
            for (size_t pos : fit) {
                partRows.push_back(rows[pos]);
                for (size_t m = 0; m < members.size(); ++m)
                    part[m].push_back(members[m][pos]);
            }
            const std::vector<double> w = greedyEnsemble(part, 25, [&](const std::vector<double> &avg) {
                return -detail::selectionScore(p, avg, partRows);
            });
            std::vector<double> out(rows.size(), 0.0);
            for (size_t m = 0; m < members.size(); ++m)
                for (size_t i = 0; i < out.size(); ++i)
                    out[i] += w[m] * members[m][i];
            return out;
        });
    }

    void ensembleWithinTheNoiseKeepsTheSingleModel()
    {
        // The best candidate and four noisy copies of it: averaging them in only fits noise, which
        // an in-sample selection may still take for a gain on 150 rows.
        std::mt19937_64 rng(11);
        std::normal_distribution<double> z(0, 1);
        std::vector<double> truth, best;
        for (int r = 0; r < 150; ++r) {
            truth.push_back(10 * z(rng));
            best.push_back(truth.back() + 4 * z(rng));
        }
        const detail::PreparedData p = regressionData(truth);
        const std::vector<qsizetype> rows = p.scoredRows();
        std::vector<std::vector<double>> members{best};
        for (int m = 0; m < 4; ++m) {
            std::vector<double> copy = best;
            for (double &x : copy)
                x += 3 * z(rng);
            members.push_back(copy);
        }
        const std::vector<double> honest = crossFittedEnsemble(p, members, rows);
        QCOMPARE(honest.size(), rows.size());
        const detail::GuardDecision guard = detail::guardGain(p, best, honest, rows, 42);
        QVERIFY2(!guard.keep, qPrintable(guard.reason(QStringLiteral("the ensemble"), QStringLiteral("xgboost-1"))));
        QVERIFY(guard.resamples >= 30);
        QVERIFY(std::isfinite(guard.noise) && guard.noise > 0);
        QVERIFY(guard.reason(QStringLiteral("the ensemble"), QStringLiteral("xgboost-1")).contains(QStringLiteral("not used, xgboost-1 is kept")));
        // No time left to check: the single candidate is kept.
        const detail::GuardDecision late = detail::guardGain(p, best, honest, rows, 42, 200, [] { return true; });
        QVERIFY(!late.keep);
        QVERIFY(late.reason(QStringLiteral("the stack"), QStringLiteral("xgboost-1")).contains(QStringLiteral("no time")));
    }

    void ensembleOfIndependentModelsIsKept()
    {
        // Two candidates with independent errors: their average halves the error variance.
        std::mt19937_64 rng(12);
        std::normal_distribution<double> z(0, 1);
        std::vector<double> truth, a, b;
        for (int r = 0; r < 300; ++r) {
            truth.push_back(10 * z(rng));
            a.push_back(truth.back() + 6 * z(rng));
            b.push_back(truth.back() + 6 * z(rng));
        }
        const detail::PreparedData p = regressionData(truth);
        const std::vector<qsizetype> rows = p.scoredRows();
        const std::vector<double> &single = detail::selectionScore(p, a, rows) >= detail::selectionScore(p, b, rows) ? a : b;
        const std::vector<double> honest = crossFittedEnsemble(p, {a, b}, rows);
        const detail::GuardDecision guard = detail::guardGain(p, single, honest, rows, 42);
        QVERIFY2(guard.keep, qPrintable(guard.reason(QStringLiteral("the ensemble"), QStringLiteral("xgboost-1"))));
        QVERIFY(guard.gain > guard.noise);
        QVERIFY(guard.reason(QStringLiteral("the ensemble"), QStringLiteral("xgboost-1")).startsWith(QStringLiteral("the ensemble kept")));
    }

    void stackLearnsWhatAnAverageCannot()
    {
        // Regression: one candidate predicts half the target, the other a noisy copy; no weighted
        // average rescales, a linear stack does, and its cross-fitted score shows it.
        std::mt19937_64 rng(13);
        std::normal_distribution<double> z(0, 1);
        std::vector<double> truth, half, noisy;
        for (int r = 0; r < 200; ++r) {
            truth.push_back(50 + 10 * z(rng));
            half.push_back(truth.back() / 2 + 0.5 * z(rng));
            noisy.push_back(truth.back() + 8 * z(rng));
        }
        const detail::PreparedData p = regressionData(truth);
        const std::vector<qsizetype> rows = p.scoredRows();
        const std::vector<std::vector<double>> members{noisy, half};
        std::vector<size_t> all(rows.size());
        std::iota(all.begin(), all.end(), size_t(0));
        const StackCombiner stack = detail::fitStack(p, members, rows, all, 0);
        QCOMPARE(stack.combine, QStringLiteral("linear"));
        QVERIFY2(stack.weights[1] > 1.0, qPrintable(QString::number(stack.weights[1])));
        const std::vector<double> honest = detail::crossFit(rows.size(), 1, detail::rowGroups(rows.size(), 5, 42), [&](const std::vector<size_t> &fit) {
            return detail::applyStack(detail::fitStack(p, members, rows, fit, 0), members, 1);
        });
        QVERIFY(detail::selectionScore(p, honest, rows) > 0.9);
        const detail::GuardDecision guard = detail::guardGain(p, noisy, honest, rows, 42);
        QVERIFY(guard.keep);
        // What it saves predicts the same: the card's stack, read back, combines rows alike.
        const StackCombiner back = StackCombiner::fromJson(stack.toJson(), 2, 0);
        const std::vector<double> again = detail::applyStack(back, members, 1);
        const std::vector<double> direct = detail::applyStack(stack, members, 1);
        for (size_t i = 0; i < again.size(); ++i)
            QCOMPARE(again[i], direct[i]);
        QVERIFY_THROWS_EXCEPTION(Error, StackCombiner::fromJson(stack.toJson(), 3, 0)); // a weight per member
        QVERIFY_THROWS_EXCEPTION(Error, StackCombiner::fromJson(stack.toJson(), 2, 3)); // linear needs regression
        QVERIFY_THROWS_EXCEPTION(Error, StackCombiner::fromJson(QJsonObject{{QStringLiteral("combine"), QStringLiteral("median")}}, 2, 0));

        // Classes: a candidate that is right but timid (probabilities near 0.5) is sharpened by the
        // log-linear pool, which lowers the log loss a weighted average could not.
        detail::PreparedData c;
        c.task = Task::Binary;
        c.metric = QStringLiteral("log_loss");
        c.maximize = false;
        c.folds = 5;
        c.classes = {QStringLiteral("no"), QStringLiteral("yes")};
        std::vector<double> timid, other;
        std::uniform_real_distribution<double> u(0, 1);
        for (int r = 0; r < 300; ++r) {
            const int y = u(rng) < 0.5 ? 1 : 0;
            c.labels.push_back(y);
            c.fold.push_back(r % 5);
            const double pt = std::clamp(0.5 + (y ? 0.12 : -0.12) + 0.05 * z(rng), 0.01, 0.99);
            timid.insert(timid.end(), {1 - pt, pt});
            const double po = u(rng);
            other.insert(other.end(), {1 - po, po});
        }
        c.repeatFold = {c.fold};
        const std::vector<qsizetype> crows = c.scoredRows();
        const std::vector<std::vector<double>> cmembers{timid, other};
        std::vector<size_t> call(crows.size());
        std::iota(call.begin(), call.end(), size_t(0));
        const StackCombiner pool = detail::fitStack(c, cmembers, crows, call, 0);
        QCOMPARE(pool.combine, QStringLiteral("logpool"));
        QVERIFY2(pool.weights[0] > 2, qPrintable(QString::number(pool.weights[0])));
        QVERIFY(std::abs(pool.weights[1]) < 0.5);
        const std::vector<double> cHonest = detail::crossFit(crows.size(), 2, detail::rowGroups(crows.size(), 5, 42), [&](const std::vector<size_t> &fit) {
            return detail::applyStack(detail::fitStack(c, cmembers, crows, fit, 0), cmembers, 2);
        });
        for (size_t i = 0; i < crows.size(); ++i)
            QVERIFY(std::abs(cHonest[2 * i] + cHonest[2 * i + 1] - 1) < 1e-9);
        QVERIFY(detail::guardGain(c, timid, cHonest, crows, 42).keep);
        const StackCombiner poolBack = StackCombiner::fromJson(pool.toJson(), 2, 2);
        QCOMPARE(poolBack.bias, pool.bias);
    }

    void skewedTargetGetsLogTargetCandidatesScoredOnItsScale()
    {
        // A multiplicative target with a heavy tail (as prices or CPU performance): the log-target
        // candidate is trained on log1p(y) but scored, saved and predicting on y's own scale.
        const QString csv = m_dir->filePath(QStringLiteral("skewed.csv"));
        QFile f(csv);
        QVERIFY(f.open(QIODevice::WriteOnly));
        std::mt19937_64 rng(11);
        std::normal_distribution<double> z(0, 1);
        QByteArray text = "x1,x2,y\n";
        std::vector<double> truth;
        for (int i = 0; i < 160; ++i) {
            const double x1 = z(rng), x2 = z(rng);
            const double y = std::exp(3 + 1.1 * x1 + 0.4 * x2 + 0.1 * z(rng));
            truth.push_back(y);
            text += QByteArray::number(x1, 'g', 8) + ',' + QByteArray::number(x2, 'g', 8) + ',' + QByteArray::number(y, 'g', 10) + '\n';
        }
        f.write(text);
        f.close();
        QVERIFY(skewedPositiveTarget(truth));
        AutoMLSpec spec;
        spec.trainPath = csv;
        spec.target = QStringLiteral("y");
        spec.metric = QStringLiteral("r2");
        spec.timeLimitSeconds = 45;
        spec.maxCandidates = 3; // defaults, histogram GBM, then the log target before other presets
        spec.algorithms = {QStringLiteral("xgboost")};
        AutoMLJob job(*m_ws, *m_jobs, spec);
        const auto [ok, message] = runToEnd(job);
        QVERIFY2(ok, qPrintable(message));
        const QJsonObject profile = readJson(QDir(m_ws->artifactDir(job.runUuid())).filePath(QStringLiteral("automl/profile.json")));
        QCOMPARE(profile.value(QStringLiteral("targetTransform")).toObject().value(QStringLiteral("name")).toString(), QStringLiteral("log1p"));
        std::optional<Candidate> logged;
        for (const Candidate &c : job.candidates())
            if (c.targetTransform == QLatin1String("log1p"))
                logged = c;
        QVERIFY(logged);
        QVERIFY2(logged->state == QLatin1String("finished"), qPrintable(logged->state + QStringLiteral(": ") + logged->message));
        QCOMPARE(logged->preset, QStringLiteral("log target"));
        // Scored on the original scale: a log-scale score would be near 1 whatever the fit of y.
        const double r2 = logged->metrics.value(QStringLiteral("r2"));
        QVERIFY2(r2 > 0.5 && r2 < 0.9999, qPrintable(QString::number(r2)));
        // Its saved model (and the AutoML model) predict raw rows on y's scale.
        const data::Table table = data::CsvReader::read(csv);
        PluginManager plugins;
        for (const QString &dir : {QDir(m_ws->artifactDir(logged->runUuid)).filePath(QStringLiteral("model")), job.modelDir()}) {
            ModelCard card;
            std::unique_ptr<Predictor> predictor = loadPredictor(plugins, dir, &card);
            PredictionInput input;
            input.table = &table;
            const Predictions pred = predictor->predict(input);
            QCOMPARE(pred.values.size(), truth.size());
            double sse = 0, sst = 0, mean = 0;
            for (double y : truth)
                mean += y / double(truth.size());
            for (size_t i = 0; i < truth.size(); ++i) {
                QVERIFY(pred.values[i] > 0);
                sse += (pred.values[i] - truth[i]) * (pred.values[i] - truth[i]);
                sst += (truth[i] - mean) * (truth[i] - mean);
            }
            QVERIFY2(1 - sse / sst > 0.8, qPrintable(QStringLiteral("%1: R² %2 on the training rows").arg(dir).arg(1 - sse / sst)));
        }
        const ModelCard bag = ModelCard::load(QDir(m_ws->artifactDir(logged->runUuid)).filePath(QStringLiteral("model")));
        QCOMPARE(bag.extra.value(QStringLiteral("targetTransform")).toObject().value(QStringLiteral("name")).toString(), QStringLiteral("log1p"));
    }

    void irisKFoldLeaderboardAndModel()
    {
        AutoMLSpec spec;
        spec.trainPath = dataFile(QStringLiteral("iris.csv"));
        spec.target = QStringLiteral("target");
        spec.timeLimitSeconds = 150;
        spec.maxCandidates = 3;
        spec.maxParallel = 2;
        spec.algorithms = {QStringLiteral("xgboost"), QStringLiteral("linear-learner")};
        spec.experiment = QStringLiteral("automl-test");
        AutoMLJob job(*m_ws, *m_jobs, spec);
        QSignalSpy profiled(&job, &AutoMLJob::profileReady);
        QSignalSpy started(&job, &AutoMLJob::candidateStarted);
        const auto [ok, message] = runToEnd(job);
        QVERIFY2(ok, qPrintable(message));
        QCOMPARE(profiled.size(), 1);
        QCOMPARE(job.profile().task, Task::Multiclass);
        QCOMPARE(job.metric(), QStringLiteral("accuracy"));
        QCOMPARE(job.validation(), QStringLiteral("k-fold"));
        QCOMPARE(job.folds(), 5);
        QCOMPARE(job.repeats(), 2); // 150 rows: k-fold repeated with another seed
        QCOMPARE(started.size(), 3);
        checkLeaderboard(job);
        QVERIFY(job.leaderboard().first().objective > 0.85);

        // The run and its artifacts.
        ExperimentStore &store = m_ws->store();
        const Run run = store.run(job.runUuid());
        QCOMPARE(run.status, RunStatus::Finished);
        QCOMPARE(run.name, QStringLiteral("automl-iris"));
        const QString dir = m_ws->artifactDir(job.runUuid());
        for (const char *file : {"automl/spec.json", "automl/profile.json", "automl/leaderboard.json", "automl/leaderboard.csv",
                                 "automl/folds/fold_0_train.csv", "automl/folds/fold_4_valid.csv", "model/model.json",
                                 "explanations/importance.json", "explanations/importance.csv"})
            QVERIFY2(QFile::exists(QDir(dir).filePath(QLatin1String(file))), file);
        const QJsonObject leaderboard = readJson(QDir(dir).filePath(QStringLiteral("automl/leaderboard.json")));
        QCOMPARE(leaderboard.value(QStringLiteral("metric")).toString(), QStringLiteral("accuracy"));
        QCOMPARE(leaderboard.value(QStringLiteral("candidates")).toArray().size(), job.leaderboard().size());
        // The folds cover every row once as validation.
        qsizetype validated = 0;
        for (int f = 0; f < 5; ++f)
            validated += data::CsvReader::read(QDir(dir).filePath(QStringLiteral("automl/folds/fold_%1_valid.csv").arg(f))).rowCount();
        QCOMPARE(validated, qsizetype(150));
        // Candidate runs are children of the AutoML run, fold runs children of candidates.
        const QList<Run> children = store.childRuns(job.runUuid());
        QVERIFY(children.size() >= 3);
        const Candidate best = job.leaderboard().first();
        QVERIFY(!best.ensemble || best.params.size() >= 2);
        if (!best.ensemble)
            QCOMPARE(store.childRuns(best.runUuid).size(), 10); // 5 folds, twice
        // The second repeat validates every row once too, on other folds.
        qsizetype again = 0;
        bool otherFolds = false;
        for (int f = 5; f < 10; ++f) {
            const data::Table valid = data::CsvReader::read(QDir(dir).filePath(QStringLiteral("automl/folds/fold_%1_valid.csv").arg(f)));
            const data::Table first = data::CsvReader::read(QDir(dir).filePath(QStringLiteral("automl/folds/fold_%1_valid.csv").arg(f - 5)));
            again += valid.rowCount();
            otherFolds = otherFolds || valid.column(QStringLiteral("sepal_length_cm")).values != first.column(QStringLiteral("sepal_length_cm")).values;
        }
        QCOMPARE(again, qsizetype(150));
        QVERIFY(otherFolds);
        QCOMPARE(job.notebooks().size(), 2);
        for (const QString &notebook : job.notebooks())
            QVERIFY2(QFile::exists(notebook), qPrintable(notebook));
        QVERIFY(!job.importance().isEmpty());
        QCOMPARE(job.importance().size(), 4);

        // The saved model predicts raw rows, with the full class list.
        PluginManager plugins;
        ModelCard card;
        std::unique_ptr<Predictor> predictor = loadPredictor(plugins, job.modelDir(), &card);
        QVERIFY(isEnsembleCard(card));
        QCOMPARE(card.classes, (QStringList{QStringLiteral("setosa"), QStringLiteral("versicolor"), QStringLiteral("virginica")}));
        const data::Table table = data::CsvReader::read(dataFile(QStringLiteral("iris.csv")));
        PredictionInput input;
        input.table = &table;
        const Predictions p = predictor->predict(input);
        QCOMPARE(p.rows(), qsizetype(150));
        int right = 0;
        for (qsizetype r = 0; r < 150; ++r)
            right += p.classes.at(p.labels[size_t(r)]) == table.column(QStringLiteral("target")).text(r) ? 1 : 0;
        QVERIFY(right > 140);

        // The model's probabilities are the weighted average of its members' (a stack: their
        // log-linear pool).
        checkCombination(plugins, job.modelDir(), input, p);

        // A stack of two candidates' own models predicts raw rows as its card says.
        QStringList bags;
        for (const Candidate &c : job.leaderboard())
            if (!c.ensemble && c.state == QLatin1String("finished"))
                bags << QDir(m_ws->artifactDir(c.runUuid)).filePath(QStringLiteral("model"));
        QVERIFY(bags.size() >= 2);
        ModelCard stackCard;
        stackCard.task = card.task;
        stackCard.target = card.target;
        stackCard.classes = card.classes;
        stackCard.inputSchema = card.inputSchema;
        StackCombiner stack;
        stack.combine = QStringLiteral("logpool");
        stack.weights = {0.8, 0.4};
        stack.bias = {0.1, 0.0, -0.2};
        stackCard.extra.insert(QStringLiteral("stack"), stack.toJson());
        const QString stackDir = QDir(m_dir->path()).filePath(QStringLiteral("stack-model"));
        saveEnsembleModel(stackDir, stackCard, {EnsembleMember{bags.at(0), 1.0}, EnsembleMember{bags.at(1), 1.0}});
        ModelCard loaded;
        std::unique_ptr<Predictor> stacked = loadPredictor(plugins, stackDir, &loaded);
        checkCombination(plugins, stackDir, input, stacked->predict(input));
        QVERIFY(!stacked->contributions(input)); // a stack is explained as a whole

        // A candidate's own run holds its model too.
        QString lastCandidate;
        for (const Candidate &c : job.leaderboard())
            if (!c.ensemble)
                lastCandidate = c.runUuid;
        std::unique_ptr<Predictor> candidate = loadPredictor(plugins, QDir(m_ws->artifactDir(lastCandidate)).filePath(QStringLiteral("model")));
        QCOMPARE(candidate->predict(input).rows(), qsizetype(150));
    }

    void holdOutForLargeTables()
    {
        // 20,500 rows: more than k-fold's limit.
        const QString csv = m_dir->filePath(QStringLiteral("large.csv"));
        QFile f(csv);
        QVERIFY(f.open(QIODevice::WriteOnly));
        std::mt19937_64 rng(3);
        std::normal_distribution<double> noise(0, 0.1);
        QByteArray text = "x1,x2,colour,y\n";
        const char *colours[] = {"red", "green", "blue"};
        for (int i = 0; i < 20500; ++i) {
            const double x1 = double(rng() % 1000) / 100, x2 = double(rng() % 1000) / 100;
            const int c = int(rng() % 3);
            text += QByteArray::number(x1) + ',' + QByteArray::number(x2) + ',' + colours[c] + ','
                    + QByteArray::number(2 * x1 - x2 + c + noise(rng), 'g', 8) + '\n';
        }
        f.write(text);
        f.close();
        AutoMLSpec spec;
        spec.trainPath = csv;
        spec.target = QStringLiteral("y");
        spec.timeLimitSeconds = 120;
        spec.maxCandidates = 1;
        spec.algorithms = {QStringLiteral("xgboost")};
        AutoMLJob job(*m_ws, *m_jobs, spec);
        const auto [ok, message] = runToEnd(job);
        QVERIFY2(ok, qPrintable(message));
        QCOMPARE(job.profile().task, Task::Regression);
        QCOMPARE(job.metric(), QStringLiteral("mse"));
        QVERIFY(!job.maximize());
        QCOMPARE(job.validation(), QStringLiteral("holdout"));
        QCOMPARE(job.folds(), 1);
        checkLeaderboard(job);
        QCOMPARE(job.leaderboard().size(), 1);
        QVERIFY(job.leaderboard().first().metrics.value(QStringLiteral("r2")) > 0.9);
        // One model: the folder is the candidate's model itself.
        const ModelCard card = ModelCard::load(job.modelDir());
        QCOMPARE(card.plugin, QStringLiteral("xgboost"));
        const data::Table valid = data::CsvReader::read(QDir(m_ws->artifactDir(job.runUuid())).filePath(QStringLiteral("automl/folds/fold_0_valid.csv")));
        QCOMPARE(valid.rowCount(), qsizetype(4100));
    }

    void aFailingCandidateDoesNotStopTheSearch()
    {
        // A worker that fails every mlp job and runs the others.
        const QString script = QStringLiteral("if grep -q '\"algorithm\": *\"mlp\"' \"$2\"; then echo 'mlp is broken here' >&2; exit 3; fi; exec '%1' worker \"$@\"")
                                   .arg(QStringLiteral(CAIRN_CLI_PATH));
        m_jobs->setWorkerCommand(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), script, QStringLiteral("sh")});
        AutoMLSpec spec;
        spec.trainPath = dataFile(QStringLiteral("titanic.csv"));
        spec.target = QStringLiteral("survived");
        spec.timeLimitSeconds = 150;
        spec.maxCandidates = 3;
        spec.maxParallel = 2;
        spec.algorithms = {QStringLiteral("xgboost"), QStringLiteral("mlp")};
        spec.ensemble = false;
        AutoMLJob job(*m_ws, *m_jobs, spec);
        const auto [ok, message] = runToEnd(job);
        QVERIFY2(ok, qPrintable(message));
        QCOMPARE(job.profile().task, Task::Binary);
        QCOMPARE(job.metric(), QStringLiteral("f1"));
        int failed = 0, finished = 0;
        for (const Candidate &c : job.candidates()) {
            if (c.algorithm == QLatin1String("mlp")) {
                QCOMPARE(c.state, QStringLiteral("failed"));
                QVERIFY(!c.message.isEmpty());
                QCOMPARE(m_ws->store().run(c.runUuid).status, RunStatus::Failed);
                ++failed;
            } else {
                QCOMPARE(c.state, QStringLiteral("finished"));
                ++finished;
            }
        }
        QVERIFY(failed >= 1);
        QVERIFY(finished >= 2);
        checkLeaderboard(job);
        QCOMPARE(job.leaderboard().first().algorithm, QStringLiteral("xgboost"));
        QCOMPARE(job.leaderboard().last().state, QStringLiteral("failed"));
    }

    void defaultsAndPresetsBeforeTuning()
    {
        // Proven configurations come first: XGBoost's defaults, a HistGradientBoosting-like
        // configuration, k-NN's defaults, then a random forest and its cousins in XGBoost's
        // random-forest mode; tuned points only after them.
        AutoMLSpec spec;
        spec.trainPath = dataFile(QStringLiteral("iris.csv"));
        spec.target = QStringLiteral("target");
        spec.timeLimitSeconds = 55; // one repeat of 5 folds
        spec.maxCandidates = 6;
        spec.maxParallel = 2;
        spec.algorithms = {QStringLiteral("xgboost"), QStringLiteral("knn")};
        spec.ensemble = false;
        AutoMLJob job(*m_ws, *m_jobs, spec);
        const auto [ok, message] = runToEnd(job);
        QVERIFY2(ok, qPrintable(message));
        QCOMPARE(job.repeats(), 1);
        const QList<Candidate> all = job.candidates();
        QStringList order;
        for (const Candidate &c : all)
            order << c.algorithm + QLatin1Char(':') + c.preset;
        QCOMPARE(order, (QStringList{QStringLiteral("xgboost:defaults"), QStringLiteral("xgboost:histogram GBM"), QStringLiteral("knn:defaults"),
                                     QStringLiteral("xgboost:random forest"), QStringLiteral("xgboost:randomised trees"), QStringLiteral("xgboost:slow GBM")}));
        for (const Candidate &c : all) {
            QVERIFY2(c.state == QLatin1String("finished"), qPrintable(c.name() + QStringLiteral(": ") + c.message));
            QVERIFY2(c.objective > 0.85, qPrintable(c.name()));
        }
        // The forest: one round of many trees, each on a sample of the rows and columns.
        QCOMPARE(all.at(3).params.value(QStringLiteral("num_round")).toInt(), 1);
        QVERIFY(all.at(3).params.value(QStringLiteral("num_parallel_tree")).toInt() >= 50);
        QVERIFY(all.at(3).params.value(QStringLiteral("subsample")).toDouble() < 1);
        // The leaderboard says which configuration each candidate is.
        const QJsonArray entries = readJson(QDir(m_ws->artifactDir(job.runUuid())).filePath(QStringLiteral("automl/leaderboard.json")))
                                       .value(QStringLiteral("candidates")).toArray();
        QStringList presets;
        for (const QJsonValue &v : entries)
            presets << v.toObject().value(QStringLiteral("preset")).toString();
        QVERIFY(presets.contains(QStringLiteral("random forest")));
        // The k-NN candidate's model predicts raw rows.
        PluginManager plugins;
        std::unique_ptr<Predictor> knn = loadPredictor(plugins, QDir(m_ws->artifactDir(all.at(2).runUuid)).filePath(QStringLiteral("model")));
        const data::Table table = data::CsvReader::read(dataFile(QStringLiteral("iris.csv")));
        PredictionInput input;
        input.table = &table;
        const Predictions p = knn->predict(input);
        QCOMPARE(p.rows(), qsizetype(150));
        int right = 0;
        for (qsizetype r = 0; r < 150; ++r)
            right += p.classes.at(p.labels[size_t(r)]) == table.column(QStringLiteral("target")).text(r) ? 1 : 0;
        QVERIFY(right > 135);
    }

    void timeLimitHoldsOnALargerTable()
    {
        // 30,000 rows with a 10-second limit: the job ends within the limit + 10 %, wherever
        // its candidates are, with the best model found so far.
        const QString csv = m_dir->filePath(QStringLiteral("larger.csv"));
        QFile f(csv);
        QVERIFY(f.open(QIODevice::WriteOnly));
        std::mt19937_64 rng(5);
        std::normal_distribution<double> noise(0, 0.3);
        QByteArray text = "a,b,c,d,e,f,shop,y\n";
        for (int i = 0; i < 30000; ++i) {
            double x[6];
            for (double &v : x)
                v = double(rng() % 10000) / 1000;
            const int shop = int(rng() % 30);
            text += QByteArray::number(x[0]) + ',' + QByteArray::number(x[1]) + ',' + QByteArray::number(x[2]) + ',' + QByteArray::number(x[3]) + ','
                    + QByteArray::number(x[4]) + ',' + QByteArray::number(x[5]) + ",s" + QByteArray::number(shop) + ','
                    + QByteArray::number(std::sin(x[0]) * x[1] + x[2] * x[3] / 10 + shop % 7 + noise(rng), 'g', 8) + '\n';
        }
        f.write(text);
        f.close();
        AutoMLSpec spec;
        spec.trainPath = csv;
        spec.target = QStringLiteral("y");
        // An AddressSanitizer build (scripts/test --sanitize) trains several times slower: no
        // candidate on 30,000 rows finished within 10 s there.
        const int limit = qEnvironmentVariableIsSet("ASAN_OPTIONS") ? 40 : 10;
        spec.timeLimitSeconds = limit;
        AutoMLJob job(*m_ws, *m_jobs, spec);
        QElapsedTimer wall;
        wall.start();
        const auto [ok, message] = runToEnd(job, limit * 6000);
        const qint64 ms = wall.elapsed();
        QVERIFY2(ok, qPrintable(message));
        QVERIFY2(ms <= limit * 1100, qPrintable(QStringLiteral("took %1 ms for a %2 s limit").arg(ms).arg(limit)));
        checkLeaderboard(job);
        QVERIFY(QFile::exists(QDir(job.modelDir()).filePath(QStringLiteral("model.json"))));
        QCOMPARE(job.remainingMs(), qint64(0));
    }

    void firstCandidatesAreBudgetedFromASubsample()
    {
        // 4,000 rows in 5 folds: before an algorithm's first candidate (after the very first one of
        // the run) its defaults are timed on an eighth of fold 0, and that candidate gets a budget
        // from the estimate instead of half the time left.
        const QString csv = m_dir->filePath(QStringLiteral("probe.csv"));
        QFile f(csv);
        QVERIFY(f.open(QIODevice::WriteOnly));
        std::mt19937_64 rng(8);
        std::normal_distribution<double> noise(0, 0.3);
        QByteArray text = "a,b,c,y\n";
        for (int i = 0; i < 4000; ++i) {
            double x[3];
            for (double &v : x)
                v = double(rng() % 10000) / 1000;
            text += QByteArray::number(x[0]) + ',' + QByteArray::number(x[1]) + ',' + QByteArray::number(x[2]) + ','
                    + QByteArray::number(std::sin(x[0]) * x[1] + x[2] + noise(rng), 'g', 8) + '\n';
        }
        f.write(text);
        f.close();
        AutoMLSpec spec;
        spec.trainPath = csv;
        spec.target = QStringLiteral("y");
        spec.timeLimitSeconds = 60;
        spec.maxCandidates = 3; // xgboost's defaults and histogram GBM, the linear learner's defaults
        spec.maxParallel = 2;
        spec.ensemble = false;
        spec.algorithms = {QStringLiteral("xgboost"), QStringLiteral("linear-learner")};
        AutoMLJob job(*m_ws, *m_jobs, spec);
        const auto [ok, message] = runToEnd(job);
        QVERIFY2(ok, qPrintable(message));
        QCOMPARE(job.folds(), 5);
        const QString dir = m_ws->artifactDir(job.runUuid());
        QCOMPARE(data::CsvReader::read(QDir(dir).filePath(QStringLiteral("automl/folds/probe_train.csv"))).rowCount(), qsizetype(400));
        QCOMPARE(data::CsvReader::read(QDir(dir).filePath(QStringLiteral("automl/folds/probe_valid.csv"))).rowCount(), qsizetype(100));
        ExperimentStore &store = m_ws->store();
        auto tagsOf = [&](const QString &uuid) {
            QHash<QString, QString> out;
            for (const Tag &t : store.tags(store.run(uuid).id))
                out.insert(t.key, t.value);
            return out;
        };
        const QHash<QString, QString> tags = tagsOf(job.runUuid());
        QVERIFY2(tags.value(QStringLiteral("automl.probe.linear-learner")).contains(QStringLiteral("expected to take")),
                 qPrintable(tags.value(QStringLiteral("automl.probe.linear-learner"))));
        bool probeRun = false;
        for (const Run &child : store.childRuns(job.runUuid()))
            probeRun = probeRun || child.name == QLatin1String("linear-learner-probe");
        QVERIFY(probeRun);
        for (const Candidate &c : job.candidates()) {
            const QHash<QString, QString> ct = tagsOf(c.runUuid);
            QVERIFY(ct.contains(QStringLiteral("automl.budget_s")));
            if (c.algorithm == QLatin1String("linear-learner")) {
                const double estimate = ct.value(QStringLiteral("automl.estimate_s")).toDouble();
                const double budget = ct.value(QStringLiteral("automl.budget_s")).toDouble();
                QVERIFY2(estimate > 0, "the first linear-learner candidate has an estimate from the probe");
                QVERIFY2(budget <= std::max(2.5 * estimate, 5.0) + 0.1, qPrintable(QStringLiteral("budget %1 s, estimate %2 s").arg(budget).arg(estimate)));
            }
        }
    }

    void targetEncodingIsFittedInsideTheFolds()
    {
        // A 40-valued column is target encoded. Each fold's model must know only the means of
        // its own training rows: a validation row's target never reaches its encoding.
        const QString csv = m_dir->filePath(QStringLiteral("codes.csv"));
        QFile f(csv);
        QVERIFY(f.open(QIODevice::WriteOnly));
        std::mt19937_64 rng(11);
        std::normal_distribution<double> noise(0, 1);
        QByteArray text = "x,code,y\n";
        for (int i = 0; i < 600; ++i) {
            const double x = double(rng() % 1000) / 100;
            const int code = int(rng() % 40);
            text += QByteArray::number(x) + ",c" + QByteArray::number(code) + ',' + QByteArray::number(x + code % 5 + noise(rng), 'g', 10) + '\n';
        }
        f.write(text);
        f.close();
        AutoMLSpec spec;
        spec.trainPath = csv;
        spec.target = QStringLiteral("y");
        spec.timeLimitSeconds = 55;
        spec.maxCandidates = 1;
        spec.algorithms = {QStringLiteral("xgboost")};
        spec.ensemble = false;
        AutoMLJob job(*m_ws, *m_jobs, spec);
        const auto [ok, message] = runToEnd(job);
        QVERIFY2(ok, qPrintable(message));
        QCOMPARE(job.folds(), 5);
        const Candidate c = job.leaderboard().first();
        const QString dir = m_ws->artifactDir(job.runUuid());
        const data::Table all = data::CsvReader::read(csv);
        auto meansOf = [](const data::Table &t) {
            QHash<QString, std::pair<double, int>> sums;
            double total = 0;
            const data::Column &code = t.column(QStringLiteral("code"));
            const data::Column &y = t.column(QStringLiteral("y"));
            for (qsizetype r = 0; r < t.rowCount(); ++r) {
                auto &s = sums[code.text(r)];
                s.first += y.values[size_t(r)];
                ++s.second;
                total += y.values[size_t(r)];
            }
            const double prior = total / double(t.rowCount());
            QHash<QString, double> means;
            for (auto it = sums.constBegin(); it != sums.constEnd(); ++it)
                means.insert(it.key(), (it.value().first + 10 * prior) / (it.value().second + 10)); // smoothing m = 10
            return means;
        };
        const QHash<QString, double> allMeans = meansOf(all);
        int folds = 0;
        for (const Run &run : m_ws->store().childRuns(c.runUuid)) {
            const int fold = run.name.section(QStringLiteral("-fold"), 1).toInt();
            const QHash<QString, double> expected = meansOf(data::CsvReader::read(QDir(dir).filePath(QStringLiteral("automl/folds/fold_%1_train.csv").arg(fold))));
            const ModelCard card = ModelCard::load(QDir(m_ws->artifactDir(run.uuid)).filePath(QStringLiteral("model")));
            QJsonObject feature;
            for (const QJsonValue &v : card.preprocessing.value(QStringLiteral("encoder")).toObject().value(QStringLiteral("features")).toArray())
                if (v.toObject().value(QStringLiteral("column")).toString() == QLatin1String("code"))
                    feature = v.toObject();
            QCOMPARE(feature.value(QStringLiteral("encoding")).toString(), QStringLiteral("target"));
            const QJsonArray categories = feature.value(QStringLiteral("categories")).toArray();
            const QJsonArray means = feature.value(QStringLiteral("targetMeans")).toArray();
            QCOMPARE(means.size(), categories.size());
            int differsFromAllRows = 0;
            for (int i = 0; i < categories.size(); ++i) {
                const QString category = categories.at(i).toString();
                QVERIFY2(std::abs(means.at(i).toDouble() - expected.value(category)) < 1e-6, qPrintable(category));
                differsFromAllRows += std::abs(means.at(i).toDouble() - allMeans.value(category)) > 1e-3 ? 1 : 0;
            }
            QVERIFY(differsFromAllRows > categories.size() / 2);
            ++folds;
        }
        QCOMPARE(folds, 5);
    }

    void metricMustFitTheTask()
    {
        AutoMLSpec spec;
        spec.trainPath = dataFile(QStringLiteral("iris.csv"));
        spec.target = QStringLiteral("target");
        spec.metric = QStringLiteral("r2");
        {
            // The task is known only after profiling: the job fails with a clear message.
            AutoMLJob job(*m_ws, *m_jobs, spec);
            QSignalSpy started(&job, &AutoMLJob::candidateStarted);
            const auto [ok, message] = runToEnd(job, 30000);
            QVERIFY(!ok);
            QVERIFY2(message.contains(QLatin1String("r2")) && message.contains(QLatin1String("accuracy")), qPrintable(message));
            QCOMPARE(started.size(), 0);
            QCOMPARE(m_ws->store().run(job.runUuid()).status, RunStatus::Failed);
        }
        // Known up front: start() refuses.
        spec.problemType = QStringLiteral("multiclass");
        AutoMLJob job(*m_ws, *m_jobs, spec);
        QVERIFY_THROWS_EXCEPTION(Error, job.start());
        spec.metric = QStringLiteral("accuracy");
        spec.target = QStringLiteral("no_such_column");
        AutoMLJob missing(*m_ws, *m_jobs, spec);
        const auto [ok, message] = runToEnd(missing, 30000);
        QVERIFY(!ok);
        QVERIFY2(message.contains(QLatin1String("no_such_column")), qPrintable(message));
    }
};

QTEST_MAIN(TestAutoMLJob)
#include "tst_automljob.moc"
