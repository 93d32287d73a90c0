// A job spec is checked against its algorithm's schema and its data before a job or run exists:
// typos get a "did you mean", choices are enforced (also in comma-separated lists), a ragged row
// anywhere in a table is found with its line, and the GUI's no-read mode leaves the data alone.
#include "cairn/algorithms/algorithmplugin.h"
#include "cairn/jobs/jobspeccheck.h"
#include "cairn/util/error.h"

#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace cairn;

namespace {
AlgorithmInfo boosting()
{
    AlgorithmInfo info;
    info.id = QStringLiteral("boost");
    info.input = QStringLiteral("tabular");
    info.tasks = {Task::Binary, Task::Multiclass, Task::Regression};
    Parameter metric = Parameter::string(QStringLiteral("eval_metric"), QStringLiteral("auto"), QString());
    metric.choices = {QStringLiteral("auto"), QStringLiteral("logloss"), QStringLiteral("auc"), QStringLiteral("error@")};
    info.schema = ParameterSchema({Parameter::real(QStringLiteral("eta"), 0.3, 0.0001, 1, QString()),
                                   Parameter::choice(QStringLiteral("booster"), QStringLiteral("gbtree"), {QStringLiteral("gbtree"), QStringLiteral("dart")}, QString()),
                                   metric});
    return info;
}

QStringList messages(const QList<SpecProblem> &problems)
{
    QStringList out;
    for (const SpecProblem &p : problems)
        out << p.message;
    return out;
}
} // namespace

class tst_JobSpecCheck : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    QString write(const QString &name, const QByteArray &text)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (f.open(QIODevice::WriteOnly))
            f.write(text);
        return path;
    }

    JobSpec spec(const QString &csv, const QString &target)
    {
        JobSpec s;
        s.algorithm = QStringLiteral("boost");
        data::ChannelSpec c;
        c.path = csv;
        s.channels.insert(QStringLiteral("train"), c);
        s.target = target;
        return s;
    }

private Q_SLOTS:
    void closestNames()
    {
        const QStringList columns{QStringLiteral("name"), QStringLiteral("survived"), QStringLiteral("sex"), QStringLiteral("age")};
        QCOMPARE(closestName(QStringLiteral("survivd"), columns), QStringLiteral("survived"));
        QCOMPARE(closestName(QStringLiteral("Survived"), columns), QStringLiteral("survived"));
        QCOMPARE(closestName(QStringLiteral("price"), columns), QString()); // not a typo of anything
        QCOMPARE(unknownColumnMessage(QStringLiteral("survivd"), QStringLiteral("/x/titanic.csv"), columns),
                 QStringLiteral("'survivd' is not a column of titanic.csv; did you mean 'survived'? (columns: name, survived, sex, age)"));
    }

    void choicesInLists()
    {
        const Parameter metric = boosting().schema.parameters().at(2);
        QVERIFY(metric.check(QStringLiteral("logloss,auc")).isEmpty());
        QVERIFY(metric.check(QStringLiteral("error@0.7")).isEmpty());
        QVERIFY(metric.check(QStringLiteral("error@")).contains(QLatin1String("'error@'")));
        const QString bad = metric.check(QStringLiteral("logloss,bogus"));
        QVERIFY2(bad.contains(QLatin1String("'bogus'")) && bad.contains(QLatin1String("logloss, auc")), qPrintable(bad));
        // The choices travel with the schema (plugins describe themselves in JSON).
        QCOMPARE(Parameter::fromJson(metric.toJson()).choices, metric.choices);
    }

    void goodSpecPasses()
    {
        const QString csv = write(QStringLiteral("good.csv"), "a,b,y\n1,2,0\n3,4,1\n");
        JobSpec s = spec(csv, QStringLiteral("y"));
        s.hyperparameters = QJsonObject{{QStringLiteral("eta"), 0.1}, {QStringLiteral("eval_metric"), QStringLiteral("logloss,auc")}};
        s.preprocessing = QJsonObject{{QStringLiteral("exclude"), QJsonArray{QStringLiteral("b")}}};
        s.debugger.collections = QStringList{QStringLiteral("tree_depth")};
        QVERIFY2(checkJobSpec(s, boosting()).isEmpty(), qPrintable(messages(checkJobSpec(s, boosting())).join(QLatin1Char('\n'))));
    }

    void hostsNeedOneInstanceEach()
    {
        const QString csv = write(QStringLiteral("h.csv"), "a,b,y\n1,2,0\n3,4,1\n");
        JobSpec s = spec(csv, QStringLiteral("y"));
        s.resources.hosts = {QStringLiteral("gpu1"), QStringLiteral("gpu2")};
        s.resources.instances = 3;
        AlgorithmInfo info = boosting();
        info.distributed = true;
        QString all = messages(checkJobSpec(s, info)).join(QLatin1Char('\n'));
        QVERIFY2(all.contains(QLatin1String("3 instances asked for on 2 hosts")), qPrintable(all));
        s.resources.instances = 2;
        s.resources.host = QStringLiteral("gpu1");
        all = messages(checkJobSpec(s, info)).join(QLatin1Char('\n'));
        QVERIFY2(all.contains(QLatin1String("must be 'local'")), qPrintable(all));
        s.resources.host = QStringLiteral("local");
        s.resources.cpus = QThread::idealThreadCount() + 1; // per rank, on other machines
        QVERIFY2(checkJobSpec(s, info).isEmpty(), qPrintable(messages(checkJobSpec(s, info)).join(QLatin1Char('\n'))));
    }

    void settingsAndDataProblemsAreSeparate()
    {
        const QString csv = write(QStringLiteral("t.csv"), "name,survived\nA,1\nB,0\n");
        JobSpec s = spec(csv, QStringLiteral("survivd"));
        s.hyperparameters = QJsonObject{{QStringLiteral("booster"), QStringLiteral("gbtre")}, {QStringLiteral("eval_metric"), QStringLiteral("bogus")}};
        s.task = QStringLiteral("clustering");
        s.resources.cpus = QThread::idealThreadCount() + 1;
        s.debugger.collections = QStringList{QStringLiteral("gradient")};
        s.preprocessing = QJsonObject{{QStringLiteral("exclude"), QJsonArray{QStringLiteral("nam")}}};
        const QList<SpecProblem> problems = checkJobSpec(s, boosting());
        const QString all = messages(problems).join(QLatin1Char('\n'));
        QVERIFY2(all.contains(QLatin1String("booster must be one of gbtree, dart")), qPrintable(all));
        QVERIFY2(all.contains(QLatin1String("'bogus'")), qPrintable(all));
        QVERIFY2(all.contains(QLatin1String("boost does not do clustering")), qPrintable(all));
        QVERIFY2(all.contains(QLatin1String("CPUs asked for")), qPrintable(all));
        QVERIFY2(all.contains(QLatin1String("did you mean 'gradients'?")), qPrintable(all));
        QVERIFY2(all.contains(QLatin1String("did you mean 'name'?")), qPrintable(all));
        int data = 0;
        for (const SpecProblem &p : problems)
            data += p.kind == SpecProblem::Kind::Data ? 1 : 0;
        QCOMPARE(data, 2); // the target and the excluded column
        // A supervised task: the target typo is a data problem with a suggestion.
        s = spec(csv, QStringLiteral("survivd"));
        const QList<SpecProblem> target = checkJobSpec(s, boosting());
        QCOMPARE(target.size(), 1);
        QCOMPARE(target.first().kind, SpecProblem::Kind::Data);
        QVERIFY2(target.first().message.contains(QLatin1String("did you mean 'survived'?")), qPrintable(target.first().message));
    }

    void wholeTableIsRead()
    {
        QByteArray text = "a,b,y\n";
        for (int i = 0; i < 2000; ++i)
            text += "1,2,0\n";
        text += "1,2\n"; // line 2002: one field short
        const QString csv = write(QStringLiteral("ragged.csv"), text);
        const QList<SpecProblem> problems = checkJobSpec(spec(csv, QStringLiteral("y")), boosting());
        QCOMPARE(problems.size(), 1);
        QCOMPARE(problems.first().kind, SpecProblem::Kind::Data);
        QVERIFY2(problems.first().message.contains(QLatin1String("ragged.csv:2002:")), qPrintable(problems.first().message));
        // Over the size limit only the head is read (the job finds the rest)...
        data::ChannelSpec c;
        c.path = csv;
        QCOMPARE(checkTableFile(c, 100), (QStringList{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("y")}));
        QVERIFY_THROWS_EXCEPTION(Error, checkTableFile(c));
        // ...and the GUI's mode reads nothing: its data picker did.
        QVERIFY(checkJobSpec(spec(csv, QStringLiteral("y")), boosting(), false).isEmpty());
        JobSpec missing = spec(m_dir.filePath(QStringLiteral("none.csv")), QStringLiteral("y"));
        QVERIFY(messages(checkJobSpec(missing, boosting(), false)).join(QString()).contains(QLatin1String("does not exist")));
    }
};

QTEST_GUILESS_MAIN(tst_JobSpecCheck)
#include "tst_jobspeccheck.moc"
