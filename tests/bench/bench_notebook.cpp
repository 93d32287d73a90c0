// Notebook benchmarks, each against an anchor measured in the same run:
//  1. median round trip of executing `1+1` (execute_request → execute_reply) through our kernel
//     client vs jupyter_client's BlockingKernelClient (/usr/bin/python3) on the same kind of kernel;
//  2. opening and rendering a 20 MB notebook with images in the Notebooks panel vs Python's
//     json.load of the same file.
#include "notebookeditor.h"
#include "notebookpanel.h"

#include "cairn/notebook/kernelclient.h"
#include "cairn/notebook/notebook.h"

#include <QApplication>
#include <QBuffer>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace cairn;

namespace {

double median(QList<double> values)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    return values.size() % 2 ? values.at(values.size() / 2) : (values.at(values.size() / 2 - 1) + values.at(values.size() / 2)) / 2;
}

// Our client: execute and wait for the execute_reply, as BlockingKernelClient.execute(reply=True) does.
QList<double> ourRoundTrips(int warmup, int count)
{
    KernelClient client;
    client.start(KernelSpec::find(QStringLiteral("python3")));
    if (!client.waitForReady(60000)) {
        std::fprintf(stderr, "the python3 kernel did not start\n");
        return {};
    }
    QList<double> times;
    QEventLoop loop;
    QString pending;
    QObject::connect(&client, &KernelClient::shellReply, &loop, [&](const KernelMessage &message) {
        if (message.parentId() == pending)
            loop.quit();
    });
    QElapsedTimer timer;
    for (int i = 0; i < warmup + count; ++i) {
        timer.start();
        pending = client.execute(QStringLiteral("1+1"));
        loop.exec();
        const double ms = timer.nsecsElapsed() / 1e6;
        if (i >= warmup)
            times << ms;
    }
    client.shutdown();
    return times;
}

QList<double> pythonRoundTrips(int warmup, int count)
{
    const QString script = QStringLiteral(R"PY(
import json, statistics, sys, time
from jupyter_client.manager import KernelManager
km = KernelManager(kernel_name="python3")
km.start_kernel()
kc = km.blocking_client()
kc.start_channels()
kc.wait_for_ready(timeout=60)
warmup, count = int(sys.argv[1]), int(sys.argv[2])
times = []
for i in range(warmup + count):
    t = time.perf_counter()
    kc.execute("1+1", reply=True, timeout=30)
    ms = (time.perf_counter() - t) * 1000
    if i >= warmup:
        times.append(ms)
kc.stop_channels()
km.shutdown_kernel(now=True)
print(json.dumps(times))
)PY");
    QProcess python;
    python.start(QStringLiteral("/usr/bin/python3"), {QStringLiteral("-c"), script, QString::number(warmup), QString::number(count)});
    if (!python.waitForFinished(300000) || python.exitCode() != 0) {
        std::fprintf(stderr, "jupyter_client baseline failed: %s\n", python.readAllStandardError().constData());
        return {};
    }
    QList<double> times;
    for (const QJsonValue &v : QJsonDocument::fromJson(python.readAllStandardOutput().trimmed().split('\n').last()).array())
        times << v.toDouble();
    return times;
}

QString noisePng(int width, int height)
{
    QImage image(width, height, QImage::Format_RGB32);
    auto *random = QRandomGenerator::global();
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            image.setPixel(x, y, random->generate());
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return QString::fromLatin1(png.toBase64());
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const int warmup = 20;
    const int count = 200;

    std::printf("bench_notebook: execute `1+1`, %d round trips after %d warm-up, python3 ipykernel\n", count, warmup);
    const QList<double> ours = ourRoundTrips(warmup, count);
    const QList<double> theirs = pythonRoundTrips(warmup, count);
    if (ours.isEmpty() || theirs.isEmpty())
        return 1;
    const double ourMedian = median(ours);
    const double theirMedian = median(theirs);
    std::printf("  cairn KernelClient         median %.3f ms\n", ourMedian);
    std::printf("  jupyter_client (Python)    median %.3f ms\n", theirMedian);
    std::printf("  ratio                      %.2fx (%s)\n", theirMedian / ourMedian,
                ourMedian < theirMedian ? "ours is faster" : "ours is slower");

    // A 20 MB notebook: 160 code cells, each with a stream and a 200×170 PNG that does not compress.
    QTemporaryDir dir;
    Notebook big;
    big.cells().clear();
    for (int i = 0; i < 160; ++i) {
        NotebookCell cell = big.makeCell(CellType::Code, QStringLiteral("import numpy as np\nplot(np.random.rand(%1))").arg(i));
        cell.setOutputs(QJsonArray{
            QJsonObject{{"output_type", "stream"}, {"name", "stdout"}, {"text", QJsonArray{QStringLiteral("epoch %1 loss 0.1\n").arg(i)}}},
            QJsonObject{{"output_type", "display_data"},
                        {"metadata", QJsonObject()},
                        {"data", QJsonObject{{"image/png", noisePng(200, 170)}, {"text/plain", "<Figure size 200x170>"}}}}});
        cell.setExecutionCount(i + 1);
        big.cells().append(cell);
    }
    const QString path = dir.filePath(QStringLiteral("big.ipynb"));
    big.save(path);
    const double megabytes = QFileInfo(path).size() / 1e6;

    QList<double> parse, open, pyLoad;
    for (int round = 0; round < 3; ++round) {
        QElapsedTimer timer;
        timer.start();
        const Notebook loaded = Notebook::load(path);
        parse << timer.nsecsElapsed() / 1e6;

        panels::NotebookPanel panel(nullptr);
        panel.resize(1200, 900);
        panel.show();
        QApplication::processEvents();
        QEventLoop loop;
        panels::NotebookEditor *editor = nullptr;
        QObject::connect(&panel, &panels::NotebookPanel::notebookOpened, &loop, [&](panels::NotebookEditor *e) {
            editor = e;
            loop.quit();
        });
        timer.start();
        panel.openNotebook(path);
        loop.exec();
        editor->renderVisibleCells();
        QApplication::processEvents(); // layout and paint of what is on screen
        open << timer.nsecsElapsed() / 1e6;
        panel.closeNotebook(0, false);

        QProcess python;
        python.start(QStringLiteral("/usr/bin/python3"),
                     {QStringLiteral("-c"), QStringLiteral("import json,sys,time; t=time.perf_counter(); json.load(open(sys.argv[1], encoding='utf-8')); "
                                                           "print((time.perf_counter()-t)*1000)"),
                      path});
        python.waitForFinished(60000);
        pyLoad << python.readAllStandardOutput().trimmed().toDouble();
    }
    std::printf("bench_notebook: open a %.1f MB notebook (160 cells with images), median of 3\n", megabytes);
    std::printf("  Notebook::load (parse)            %.1f ms\n", median(parse));
    std::printf("  panel open + render visible cells %.1f ms\n", median(open));
    std::printf("  anchor: Python json.load          %.1f ms (ratio open/anchor %.2f)\n", median(pyLoad), median(open) / median(pyLoad));
    return 0;
}
