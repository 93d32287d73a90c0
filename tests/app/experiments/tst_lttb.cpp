// LTTB downsampling against an independent reference, its invariants, and its speed on the
// sizes the compare view draws (100k points per curve).
#include "lttb.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QtTest>

#include <algorithm>
#include <cmath>

using namespace cairn::gui;

namespace {

// A direct transcription of Steinarsson's reference implementation (the JavaScript one), kept
// separate from the product code on purpose.
QList<qsizetype> referenceLttb(const QList<double> &x, const QList<double> &y, qsizetype threshold)
{
    const qsizetype n = x.size();
    QList<qsizetype> sampled;
    if (threshold >= n || threshold == 0) {
        for (qsizetype i = 0; i < n; ++i)
            sampled << i;
        return sampled;
    }
    const double every = double(n - 2) / double(threshold - 2);
    qsizetype a = 0;
    sampled << a;
    for (qsizetype i = 0; i < threshold - 2; ++i) {
        double avgX = 0, avgY = 0;
        qsizetype avgStart = qsizetype(std::floor((i + 1) * every)) + 1;
        qsizetype avgEnd = qsizetype(std::floor((i + 2) * every)) + 1;
        avgEnd = avgEnd < n ? avgEnd : n;
        const qsizetype avgLength = avgEnd - avgStart;
        for (; avgStart < avgEnd; ++avgStart) {
            avgX += x[avgStart];
            avgY += y[avgStart];
        }
        avgX /= avgLength;
        avgY /= avgLength;
        qsizetype rangeOffs = qsizetype(std::floor(i * every)) + 1;
        const qsizetype rangeTo = qsizetype(std::floor((i + 1) * every)) + 1;
        double maxArea = -1;
        qsizetype next = rangeOffs;
        for (; rangeOffs < rangeTo; ++rangeOffs) {
            const double area = std::abs((x[a] - avgX) * (y[rangeOffs] - y[a]) - (x[a] - x[rangeOffs]) * (avgY - y[a])) * 0.5;
            if (area > maxArea) {
                maxArea = area;
                next = rangeOffs;
            }
        }
        sampled << next;
        a = next;
    }
    sampled << n - 1;
    return sampled;
}

} // namespace

class TestLttb : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void matchesTheReference_data()
    {
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("threshold");
        QTest::newRow("1000->100") << 1000 << 100;
        QTest::newRow("997->13") << 997 << 13;
        QTest::newRow("5000->4999") << 5000 << 4999;
        QTest::newRow("100000->2000") << 100000 << 2000;
        QTest::newRow("10->3") << 10 << 3;
    }
    void matchesTheReference()
    {
        QFETCH(int, n);
        QFETCH(int, threshold);
        QRandomGenerator rng(n * 31 + threshold);
        QList<double> x(n), y(n);
        double walk = 0;
        for (int i = 0; i < n; ++i) {
            x[i] = i * 0.5 + (i % 7) * 0.01; // uneven spacing
            walk += rng.generateDouble() - 0.5;
            y[i] = walk;
        }
        const QList<qsizetype> got = lttbIndices(x.constData(), y.constData(), n, threshold);
        QCOMPARE(got, referenceLttb(x, y, threshold));
        QCOMPARE(got.size(), qsizetype(threshold));
    }

    void keepsEndsAndOrder()
    {
        QList<double> x, y;
        for (int i = 0; i < 500; ++i) {
            x << i;
            y << std::sin(i / 10.0);
        }
        const QList<qsizetype> got = lttbIndices(x.constData(), y.constData(), x.size(), 50);
        QCOMPARE(got.first(), 0);
        QCOMPARE(got.last(), 499);
        QVERIFY(std::is_sorted(got.cbegin(), got.cend()));
        QCOMPARE(std::adjacent_find(got.cbegin(), got.cend()), got.cend());
    }

    void keepsASpike()
    {
        // The one thing a plot must not lose: a single divergence in a flat loss curve.
        QList<double> x, y;
        for (int i = 0; i < 10000; ++i) {
            x << i;
            y << (i == 6543 ? 50.0 : 1.0);
        }
        QList<double> ox, oy;
        lttb(x.constData(), y.constData(), x.size(), 100, ox, oy);
        QCOMPARE(ox.size(), 100);
        QVERIFY(oy.contains(50.0));
        QVERIFY(ox.contains(6543.0));
    }

    void smallInputsPassThrough()
    {
        const double x[] = {0, 1, 2};
        const double y[] = {5, 6, 7};
        QCOMPARE(lttbIndices(x, y, 3, 10), (QList<qsizetype>{0, 1, 2}));
        QCOMPARE(lttbIndices(x, y, 0, 10), QList<qsizetype>());
        QCOMPARE(lttbIndices(x, y, 3, 2), (QList<qsizetype>{0, 2}));
    }

    void skipsNonFinitePoints()
    {
        QList<double> x, y;
        for (int i = 0; i < 1000; ++i) {
            x << i;
            y << (i % 10 == 0 ? std::nan("") : (i % 17 == 0 ? INFINITY : double(i % 5)));
        }
        const QList<qsizetype> got = lttbIndices(x.constData(), y.constData(), x.size(), 100);
        QCOMPARE(got.size(), 100);
        for (qsizetype i : got)
            QVERIFY(std::isfinite(y.at(i)));
        QCOMPARE(got.first(), 1); // the first finite point
    }

    void fiftyCurvesOfAHundredThousandPoints()
    {
        // 50 curves × 100k points down to 2000 each: what the compare view does on every zoom.
        // Its speed is bench_experiments' "50 curves x 100k points" figures (target 100 ms).
        QList<double> x(100000), y(100000);
        for (int i = 0; i < x.size(); ++i) {
            x[i] = i;
            y[i] = std::sin(i * 0.001) + (i % 13) * 0.01;
        }
        QElapsedTimer timer;
        timer.start();
        QList<double> ox, oy;
        for (int c = 0; c < 50; ++c) {
            lttb(x.constData(), y.constData(), x.size(), 2000, ox, oy);
            QCOMPARE(ox.size(), qsizetype(2000));
            QCOMPARE(ox.first(), 0.0);
            QCOMPARE(ox.last(), 99999.0);
            QVERIFY(std::is_sorted(ox.cbegin(), ox.cend()));
        }
        qInfo("LTTB 50 x 100k -> 2000: %lld ms", timer.elapsed());
    }
};

QTEST_GUILESS_MAIN(TestLttb)
#include "tst_lttb.moc"
