// Notebook output limits: a cell output over 100 MB (one line, many lines, or rich HTML) is shown
// truncated to its tail with a notice instead of being laid out whole; small outputs are untouched.
#include "outputview.h"

#include <QApplication>
#include <QDir>
#include <QJsonArray>
#include <QJsonObject>
#include <QTextBrowser>
#include <QtTest>

using namespace cairn::panels;

namespace {

constexpr qsizetype kHuge = 100 * 1024 * 1024 + 17; // just over 100 MB

QJsonObject stream(const QString &text)
{
    return {{QStringLiteral("output_type"), QStringLiteral("stream")}, {QStringLiteral("name"), QStringLiteral("stdout")},
            {QStringLiteral("text"), text}};
}

QTextBrowser *onlyBrowser(OutputView &view)
{
    const auto browsers = view.findChildren<QTextBrowser *>();
    return browsers.size() == 1 ? browsers.first() : nullptr;
}

} // namespace

class TestOutputView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void smallOutputIsShownWhole()
    {
        OutputView view;
        view.setOutputs({stream(QStringLiteral("hello\nworld\n"))});
        view.render();
        QTextBrowser *b = onlyBrowser(view);
        QVERIFY(b);
        QCOMPARE(b->property("outputTruncated").toBool(), false);
        QVERIFY(!b->toPlainText().contains(QLatin1String("truncated")));
        QVERIFY(view.plainText().contains(QLatin1String("world")));
    }

    void hugeOneLineStreamShowsItsTail()
    {
        QString text(kHuge, QLatin1Char('a'));
        text.append(QStringLiteral("THE-END"));
        OutputView view;
        view.setOutputs({stream(text)});
        text.clear();
        view.render();
        QTextBrowser *b = onlyBrowser(view);
        QVERIFY(b);
        QVERIFY(b->property("outputTruncated").toBool());
        const QString shown = b->property("outputText").toString();
        QVERIFY2(shown.size() <= 10 * 1000 + 1, qPrintable(QString::number(shown.size())));
        QVERIFY(shown.endsWith(QLatin1String("THE-END")));
        QVERIFY2(b->toPlainText().startsWith(QLatin1String("Output truncated")), qPrintable(b->toPlainText().left(200)));
        // What it looks like: <build>/screenshots/notebook-output-truncated.png.
        view.resize(900, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QString dir = QDir(QStringLiteral(CAIRN_BUILD_DIR)).filePath(QStringLiteral("screenshots"));
        QDir().mkpath(dir);
        QVERIFY(view.grab().save(QDir(dir).filePath(QStringLiteral("notebook-output-truncated.png"))));
    }

    void hugeManyLineStreamShowsItsTail()
    {
        QString line = QString(99, QLatin1Char('b')) + QLatin1Char('\n');
        QString text;
        text.reserve(kHuge + line.size());
        while (text.size() < kHuge)
            text += line;
        text += QStringLiteral("last line");
        OutputView view;
        view.setOutputs({stream(text)});
        text.clear();
        view.render();
        QTextBrowser *b = onlyBrowser(view);
        QVERIFY(b);
        QVERIFY(b->property("outputTruncated").toBool());
        const QString shown = b->property("outputText").toString();
        QVERIFY(shown.count(QLatin1Char('\n')) <= 5000);
        QVERIFY(shown.endsWith(QLatin1String("last line")));
        QVERIFY(b->toPlainText().startsWith(QLatin1String("Output truncated")));
    }

    void hugeHtmlFallsBackToItsText()
    {
        QString html = QStringLiteral("<table>");
        const QString row = QStringLiteral("<tr><td>1</td><td>2</td></tr>");
        html.reserve(kHuge + 64);
        while (html.size() < kHuge)
            html += row;
        html += QStringLiteral("</table>");
        const QJsonObject output{{QStringLiteral("output_type"), QStringLiteral("display_data")},
                                 {QStringLiteral("data"), QJsonObject{{QStringLiteral("text/html"), html},
                                                                      {QStringLiteral("text/plain"), QStringLiteral("<a big table>")}}},
                                 {QStringLiteral("metadata"), QJsonObject{}}};
        html.clear();
        OutputView view;
        view.setOutputs({output});
        view.render();
        QTextBrowser *b = onlyBrowser(view);
        QVERIFY(b);
        QVERIFY(b->property("outputTruncated").toBool());
        QCOMPARE(b->property("outputText").toString(), QStringLiteral("<a big table>"));
        QVERIFY2(b->toPlainText().contains(QLatin1String("too large to show")), qPrintable(b->toPlainText().left(300)));
    }
};

QTEST_MAIN(TestOutputView)
#include "tst_outputview.moc"
