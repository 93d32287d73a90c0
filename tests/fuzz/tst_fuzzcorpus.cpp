// Every fuzz target once over its seed corpus (tests/fuzz/corpus/TARGET) and the inputs of the
// crashes fuzzing found (tests/fuzz/regressions/TARGET): each must come back without a crash,
// so a fixed crash stays fixed in every build, not only under scripts/fuzz.
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QTest>

#include <cstdint>

#define CAIRN_FUZZ_ENTRY(name) extern "C" int fuzzEntry_##name(const uint8_t *data, size_t size);
CAIRN_FUZZ_ENTRY(csv)
CAIRN_FUZZ_ENTRY(idx)
CAIRN_FUZZ_ENTRY(ipynb)
CAIRN_FUZZ_ENTRY(manifest)
CAIRN_FUZZ_ENTRY(coco)
CAIRN_FUZZ_ENTRY(yolo)
CAIRN_FUZZ_ENTRY(voc)
CAIRN_FUZZ_ENTRY(jobevent)
CAIRN_FUZZ_ENTRY(jobspec)
CAIRN_FUZZ_ENTRY(searchfilter)
CAIRN_FUZZ_ENTRY(capture)
CAIRN_FUZZ_ENTRY(outputs)

using Entry = int (*)(const uint8_t *, size_t);
Q_DECLARE_METATYPE(Entry)

class tst_FuzzCorpus : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void replay_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<Entry>("entry");
        QTest::newRow("csv") << "csv" << Entry(fuzzEntry_csv);
        QTest::newRow("idx") << "idx" << Entry(fuzzEntry_idx);
        QTest::newRow("ipynb") << "ipynb" << Entry(fuzzEntry_ipynb);
        QTest::newRow("manifest") << "manifest" << Entry(fuzzEntry_manifest);
        QTest::newRow("coco") << "coco" << Entry(fuzzEntry_coco);
        QTest::newRow("yolo") << "yolo" << Entry(fuzzEntry_yolo);
        QTest::newRow("voc") << "voc" << Entry(fuzzEntry_voc);
        QTest::newRow("jobevent") << "jobevent" << Entry(fuzzEntry_jobevent);
        QTest::newRow("jobspec") << "jobspec" << Entry(fuzzEntry_jobspec);
        QTest::newRow("searchfilter") << "searchfilter" << Entry(fuzzEntry_searchfilter);
        QTest::newRow("capture") << "capture" << Entry(fuzzEntry_capture);
        QTest::newRow("outputs") << "outputs" << Entry(fuzzEntry_outputs);
    }
    void replay()
    {
        QFETCH(QString, target);
        QFETCH(Entry, entry);
        int inputs = 0;
        for (const char *kind : {"corpus", "regressions"}) {
            QDirIterator it(QStringLiteral(CAIRN_FUZZ_DIR "/%1/%2").arg(QLatin1String(kind), target), QDir::Files);
            while (it.hasNext()) {
                QFile f(it.next());
                QVERIFY(f.open(QIODevice::ReadOnly));
                const QByteArray data = f.readAll();
                entry(reinterpret_cast<const uint8_t *>(data.constData()), size_t(data.size()));
                ++inputs;
            }
        }
        QVERIFY2(inputs > 0, qPrintable(target)); // a seed corpus for every target
    }
};

QTEST_GUILESS_MAIN(tst_FuzzCorpus)
#include "tst_fuzzcorpus.moc"
