#include "cairn/automl/notebooks.h"

#include "automl/automlsupport.h"
#include "cairn/algorithms/pluginmanager.h"
#include "cairn/notebook/notebook.h"
#include "cairn/util/error.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

namespace cairn::automl {

namespace {

/// A Python string literal (JSON's escapes are Python's too).
QString py(const QString &text)
{
    const QByteArray array = QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(array.mid(1, array.size() - 2));
}

/// A Python literal for a JSON value (dicts, lists, numbers, strings, True/False/None).
QString pyValue(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Bool: return v.toBool() ? QStringLiteral("True") : QStringLiteral("False");
    case QJsonValue::Double: return QString::number(v.toDouble(), 'g', 17);
    case QJsonValue::String: return py(v.toString());
    case QJsonValue::Array: {
        QStringList items;
        for (const QJsonValue &item : v.toArray())
            items << pyValue(item);
        return QLatin1Char('[') + items.join(QStringLiteral(", ")) + QLatin1Char(']');
    }
    case QJsonValue::Object: {
        QStringList items;
        const QJsonObject o = v.toObject();
        for (auto it = o.constBegin(); it != o.constEnd(); ++it)
            items << py(it.key()) + QStringLiteral(": ") + pyValue(it.value());
        return QLatin1Char('{') + items.join(QStringLiteral(", ")) + QLatin1Char('}');
    }
    default: return QStringLiteral("None");
    }
}

/// A value as `cairn train --hp key=value` takes it.
QString hpText(const QJsonValue &v)
{
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 10);
    return v.toVariant().toString();
}

/// Text for a Markdown table cell.
QString md(QString text)
{
    text.replace(QLatin1Char('|'), QStringLiteral("\\|"));
    text.replace(QLatin1Char('\n'), QLatin1Char(' '));
    return text;
}

QString number(double v, int digits = 4)
{
    return std::isfinite(v) ? QString::number(v, 'f', digits) : QStringLiteral("–");
}

/// The Markdown rows "| member | weight |" of an ensemble's or a stack's members.
QString memberWeightRows(const QJsonObject &weights)
{
    QString rows;
    for (auto it = weights.constBegin(); it != weights.constEnd(); ++it)
        rows += QStringLiteral("| %1 | %2 |\n").arg(it.key(), number(it.value().toDouble(), 3));
    return rows;
}

QString summaryText(const ColumnProfile &c)
{
    const QJsonObject s = c.summary;
    if (s.contains(QStringLiteral("top"))) {
        QStringList parts;
        for (const QJsonValue &t : s.value(QStringLiteral("top")).toArray()) {
            QString value = t.toObject().value(QStringLiteral("value")).toString();
            if (value.size() > 24)
                value = value.left(23) + QChar(0x2026);
            parts << QStringLiteral("%1 (%2)").arg(value).arg(qint64(t.toObject().value(QStringLiteral("count")).toDouble()));
        }
        return parts.join(QStringLiteral(", "));
    }
    if (c.type == data::ColumnType::Datetime)
        return QStringLiteral("%1 … %2").arg(s.value(QStringLiteral("min")).toString(), s.value(QStringLiteral("max")).toString());
    if (s.contains(QStringLiteral("mean")))
        return QStringLiteral("min %1, max %2, mean %3, std %4")
            .arg(QString::number(s.value(QStringLiteral("min")).toDouble(), 'g', 5),
                 QString::number(s.value(QStringLiteral("max")).toDouble(), 'g', 5),
                 QString::number(s.value(QStringLiteral("mean")).toDouble(), 'g', 5),
                 QString::number(s.value(QStringLiteral("std")).toDouble(), 'g', 5));
    return {};
}

QString resolvedMetric(const AutoMLSpec &spec, const DataProfile &profile)
{
    return spec.metric.isEmpty() || spec.metric == QLatin1String("auto") ? defaultMetric(profile.task) : spec.metric;
}

QString candidateName(const Candidate &c)
{
    return c.name();
}

Notebook newNotebook()
{
    Notebook nb;
    nb.cells().clear();
    nb.setKernelSpec(QStringLiteral("python3"), QStringLiteral("Python 3 (ipykernel)"), QStringLiteral("python"));
    QJsonObject metadata = nb.metadata();
    metadata.insert(QStringLiteral("language_info"), QJsonObject{{QStringLiteral("name"), QStringLiteral("python")}});
    nb.setMetadata(metadata);
    return nb;
}

void add(Notebook &nb, CellType type, const QString &source)
{
    nb.cells() << nb.makeCell(type, source.trimmed());
}

// ---- data exploration ------------------------------------------------------------------

Notebook explorationNotebook(const AutoMLSpec &spec, const DataProfile &profile, const QString &runUuid)
{
    Notebook nb = newNotebook();
    const bool classification = profile.task != Task::Regression;
    const QString metric = resolvedMetric(spec, profile);

    QString intro = QStringLiteral("# Data exploration\n\n"
                                   "The data analysis of AutoML run `%1` on `%2`: %3 rows, %4 columns. "
                                   "Target **%5**, problem type **%6** (%7), objective **%8** (%9).\n\n"
                                   "## Columns\n\n"
                                   "| column | type | missing | distinct | summary | AutoML |\n"
                                   "|---|---|---:|---:|---|---|\n")
                        .arg(runUuid, QFileInfo(spec.trainPath).fileName(), QString::number(profile.rows),
                             QString::number(profile.columns.size()), md(profile.target), taskName(profile.task),
                             spec.problemType == QLatin1String("auto") || spec.problemType.isEmpty() ? QStringLiteral("inferred") : QStringLiteral("as asked"),
                             metric, metricMaximized(metric) ? QStringLiteral("higher is better") : QStringLiteral("lower is better"));
    for (const ColumnProfile &c : profile.columns) {
        QString note = c.flag == QLatin1String("target") ? QStringLiteral("target")
                     : c.dropped                         ? QStringLiteral("dropped (%1)").arg(c.flag)
                                                         : QStringLiteral("feature");
        intro += QStringLiteral("| %1 | %2 | %3 | %4 | %5 | %6 |\n")
                     .arg(md(c.name), data::columnTypeName(c.type), QString::number(c.missing),
                          QString::number(c.distinct), md(summaryText(c)), note);
    }
    const QStringList dropped = profile.droppedColumns();
    intro += QStringLiteral("\n## Dropped columns\n\n");
    if (dropped.isEmpty())
        intro += QStringLiteral("None: no column is constant, ID-like or leaks the target.\n");
    for (const ColumnProfile &c : profile.columns)
        if (c.dropped)
            intro += QStringLiteral("- **%1** (%2): %3\n").arg(c.name, c.flag, c.reason);
    add(nb, CellType::Markdown, intro);

    QStringList droppedItems;
    for (const ColumnProfile &c : profile.columns)
        if (c.dropped)
            droppedItems << QStringLiteral("    %1: %2,").arg(py(c.name), py(c.reason));
    add(nb, CellType::Code, QStringLiteral(
        "import pandas as pd\n"
        "import matplotlib.pyplot as plt\n\n"
        "TRAIN = %1\n"
        "TARGET = %2\n"
        "PROBLEM_TYPE = %3\n"
        "# Columns AutoML does not use as features, and why.\n"
        "DROPPED = {\n%4\n}\n\n"
        "df = pd.read_csv(TRAIN)\n"
        "print(f\"{len(df)} rows, {df.shape[1]} columns\")\n"
        "df.head()\n")
        .arg(py(QFileInfo(spec.trainPath).absoluteFilePath()), py(profile.target), py(taskName(profile.task)), droppedItems.join(QLatin1Char('\n'))));

    add(nb, CellType::Markdown, QStringLiteral("## Types, missing values and cardinality"));
    add(nb, CellType::Code, QStringLiteral(
        "overview = pd.DataFrame({\n"
        "    \"type\": df.dtypes.astype(str),\n"
        "    \"missing\": df.isna().sum(),\n"
        "    \"missing %\": (100 * df.isna().mean()).round(1),\n"
        "    \"distinct\": df.nunique(),\n"
        "})\n"
        "overview[\"AutoML\"] = [\"target\" if c == TARGET else (\"dropped\" if c in DROPPED else \"feature\") for c in overview.index]\n"
        "overview\n"));

    add(nb, CellType::Markdown, QStringLiteral("## Target distribution"));
    if (classification)
        add(nb, CellType::Code, QStringLiteral(
            "counts = df[TARGET].value_counts(dropna=False).sort_index()\n"
            "ax = counts.plot.bar(title=f\"{TARGET}: rows per class\", color=\"#4C72B0\")\n"
            "ax.set_ylabel(\"rows\")\n"
            "plt.tight_layout()\n"
            "plt.show()\n"
            "pd.DataFrame({\"rows\": counts, \"share %\": (100 * counts / counts.sum()).round(1)})\n"));
    else
        add(nb, CellType::Code, QStringLiteral(
            "ax = df[TARGET].plot.hist(bins=40, title=f\"{TARGET}: distribution\", color=\"#4C72B0\")\n"
            "ax.set_xlabel(TARGET)\n"
            "plt.tight_layout()\n"
            "plt.show()\n"
            "df[TARGET].describe(percentiles=[0.05, 0.25, 0.5, 0.75, 0.95])\n"));

    add(nb, CellType::Markdown, QStringLiteral("## Dropped columns\n\nConstant columns carry nothing; ID-like columns let a model memorise rows; "
                                               "a column that predicts the target on its own is usually the answer written down."));
    add(nb, CellType::Code, QStringLiteral(
        "dropped = pd.DataFrame({\"reason\": pd.Series(DROPPED, dtype=str)})\n"
        "dropped[\"distinct\"] = [df[c].nunique() if c in df else None for c in dropped.index]\n"
        "dropped\n"));

    add(nb, CellType::Markdown, QStringLiteral("## Features"));
    add(nb, CellType::Code, QStringLiteral(
        "features = [c for c in df.columns if c != TARGET and c not in DROPPED]\n"
        "numeric = df[features].select_dtypes(\"number\")\n"
        "if not numeric.empty:\n"
        "    display(numeric.describe().T)\n"
        "for column in df[features].select_dtypes(exclude=\"number\"):\n"
        "    top = df[column].value_counts().head(5)\n"
        "    print(f\"{column}: {df[column].nunique()} distinct; most frequent: \" + \", \".join(f\"{v} ({n})\" for v, n in top.items()))\n"));
    if (classification)
        add(nb, CellType::Code, QStringLiteral(
            "# Mean of each numeric feature per class: the features that differ most between classes.\n"
            "df.groupby(TARGET)[list(numeric.columns)].mean().T if not numeric.empty else None\n"));
    else
        add(nb, CellType::Code, QStringLiteral(
            "# Correlation of each numeric feature with the target.\n"
            "numeric.corrwith(df[TARGET]).sort_values(key=abs, ascending=False).to_frame(\"correlation\") if not numeric.empty else None\n"));
    return nb;
}

// ---- candidate definitions ------------------------------------------------------------

/// The job settings a candidate was trained with: the algorithm's AutoML plan (fixed settings,
/// early stopping for tuned trials, imputation) around the tuned hyperparameters.
struct CandidateJob
{
    QJsonObject hyperparameters;
    QJsonObject preprocessing;
};

CandidateJob candidateJob(const Candidate &c, const DataProfile &profile, PluginManager &plugins)
{
    CandidateJob job;
    detail::AlgorithmPlan plan;
    try {
        plan = detail::planFor(c.algorithm, plugins.algorithm(c.algorithm).schema, profile.task);
    } catch (const Error &) {
        // The plugin is gone from this installation: the tuned values are all there is.
    }
    job.hyperparameters = plan.fixed;
    // The first trial of an algorithm runs its fixed settings alone; tuned ones add theirs.
    if (c.params != plan.fixed)
        for (auto it = plan.tunedFixed.constBegin(); it != plan.tunedFixed.constEnd(); ++it)
            job.hyperparameters.insert(it.key(), it.value());
    for (auto it = c.params.constBegin(); it != c.params.constEnd(); ++it)
        job.hyperparameters.insert(it.key(), it.value());
    job.preprocessing = candidatePreprocessing(profile, plan.impute);
    return job;
}

Notebook candidatesNotebook(const QString &workspacePath, const AutoMLSpec &spec, const DataProfile &profile,
                            const QList<Candidate> &leaderboard, const QString &runUuid)
{
    Notebook nb = newNotebook();
    const QString metric = resolvedMetric(spec, profile);
    QStringList others = metricsFor(profile.task);
    others.removeAll(metric);

    QString intro = QStringLiteral("# Candidate definitions\n\n"
                                   "The candidates of AutoML run `%1` on `%2` (target **%3**, %4), best first by **%5** (%6), "
                                   "scored on out-of-fold predictions.\n\n"
                                   "Each section below trains its candidate again with `cairn train`: the same algorithm, "
                                   "hyperparameters and feature pipeline, on all of the file with a seeded 20 % hold-out split "
                                   "for validation, so its validation metrics differ a little from the leaderboard's. "
                                   "The last section scores the models with `cairn predict`.\n\n")
                        .arg(runUuid, QFileInfo(spec.trainPath).fileName(), md(profile.target), taskName(profile.task), metric,
                             metricMaximized(metric) ? QStringLiteral("higher is better") : QStringLiteral("lower is better"));
    intro += QStringLiteral("| rank | candidate | %1 | %2 | train s | predict µs/row | state |\n|---:|---|---:|%3---:|---:|---|\n")
                 .arg(metric, others.join(QStringLiteral(" | ")), QStringLiteral("---:|").repeated(others.size()));
    int rank = 0;
    for (const Candidate &c : leaderboard) {
        QStringList values;
        for (const QString &m : others)
            values << number(c.metrics.value(m, std::nan("")));
        intro += QStringLiteral("| %1 | %2 | %3 | %4 | %5 | %6 | %7 |\n")
                     .arg(c.state == QLatin1String("finished") ? QString::number(++rank) : QString(), candidateName(c), number(c.objective),
                          values.join(QStringLiteral(" | ")), number(c.trainSeconds, 1),
                          c.state == QLatin1String("finished") ? number(c.predictMicrosPerRow, 1) : QStringLiteral("–"),
                          c.message.isEmpty() ? c.state : md(c.state + QStringLiteral(": ") + c.message));
    }
    add(nb, CellType::Markdown, intro);

    add(nb, CellType::Code, QStringLiteral(
        "import json\n"
        "import os\n"
        "import re\n"
        "import shutil\n"
        "import subprocess\n"
        "import tempfile\n\n"
        "import pandas as pd\n\n"
        "CAIRN = os.environ.get(\"CAIRN_CLI\") or shutil.which(\"cairn\")\n"
        "if not CAIRN:\n"
        "    raise RuntimeError(\"cairn is not on PATH: set CAIRN_CLI to the cairn executable\")\n"
        "WORKSPACE = %1\n"
        "TRAIN = %2\n"
        "TARGET = %3\n"
        "TASK = %4\n"
        "EXPERIMENT = %5\n"
        "AUTOML_RUN = %6\n"
        "SEED = %7\n"
        "reproduced = {}  # candidate name -> run id of its new training run\n\n\n"
        "def cairn(*args):\n"
        "    \"\"\"Runs the cairn CLI on the AutoML run's workspace and returns what it printed.\"\"\"\n"
        "    result = subprocess.run([CAIRN, *args, \"--workspace\", WORKSPACE], capture_output=True, text=True)\n"
        "    if result.returncode != 0:\n"
        "        raise RuntimeError(f\"cairn {args[0]} failed (exit {result.returncode}):\\n{result.stderr}\")\n"
        "    return result.stdout\n\n\n"
        "def train(name, algorithm, hyperparameters, preprocessing):\n"
        "    args = [\"train\", \"--algorithm\", algorithm, \"--train\", TRAIN, \"--target\", TARGET, \"--task\", TASK,\n"
        "            \"--seed\", str(SEED), \"--experiment\", EXPERIMENT, \"--run-name\", f\"{name}-again\", \"--quiet\",\n"
        "            \"--preprocessing\", json.dumps(preprocessing)]\n"
        "    for key, value in hyperparameters.items():\n"
        "        args += [\"--hp\", f\"{key}={str(value).lower() if isinstance(value, bool) else value}\"]\n"
        "    print(\"cairn \" + \" \".join(args))\n"
        "    out = cairn(*args)\n"
        "    print(out)\n"
        "    reproduced[name] = re.search(r\"^run (\\S+):\", out, re.M).group(1)\n")
        .arg(py(QDir::cleanPath(workspacePath)), py(QFileInfo(spec.trainPath).absoluteFilePath()), py(profile.target),
             py(taskName(profile.task)), py(spec.experiment.isEmpty() ? QStringLiteral("Default") : spec.experiment), py(runUuid),
             QString::number(spec.seed)));

    PluginManager plugins;
    rank = 0;
    for (const Candidate &c : leaderboard) {
        if (c.state != QLatin1String("finished"))
            continue;
        ++rank;
        if (c.ensemble && c.algorithm == QLatin1String("stack")) {
            QString text = QStringLiteral("## %1. The stack: %2 %3\n\n"
                                          "A model learnt over the out-of-fold predictions of these candidates (%4), "
                                          "regularised towards the best candidate alone; its score is cross-fitted:\n\n"
                                          "| candidate | weight |\n|---|---:|\n")
                               .arg(QString::number(rank), metric, number(c.objective),
                                    profile.task == Task::Regression ? QStringLiteral("a ridge regression with an intercept")
                                                                     : QStringLiteral("a logistic model on their log-probabilities"));
            text += memberWeightRows(c.params);
            text += QStringLiteral("\nIt is rebuilt from its members' out-of-fold predictions, not trained on its own; "
                                   "the AutoML run's model is this stack when it ranks first.");
            add(nb, CellType::Markdown, text);
            continue;
        }
        if (c.ensemble) {
            QString text = QStringLiteral("## %1. The ensemble: %2 %3\n\n"
                                          "A weighted average of the predictions of these candidates, the weights chosen greedily "
                                          "on their out-of-fold predictions (Caruana's ensemble selection):\n\n"
                                          "| candidate | weight |\n|---|---:|\n")
                               .arg(QString::number(rank), metric, number(c.objective));
            text += memberWeightRows(c.params);
            text += QStringLiteral("\nIt is rebuilt from its members' out-of-fold predictions, not trained on its own; "
                                   "the AutoML run's model is this ensemble when it ranks first.");
            add(nb, CellType::Markdown, text);
            continue;
        }
        const CandidateJob job = candidateJob(c, profile, plugins);
        QString text = QStringLiteral("## %1. %2: %3 %4\n\n"
                                      "Algorithm `%5`, candidate %6 (run `%7`): trained in %8 s over its folds, "
                                      "predicts in %9 µs per row.\n\n")
                           .arg(QString::number(rank), candidateName(c), metric, number(c.objective), c.algorithm,
                                QString::number(c.index), c.runUuid, number(c.trainSeconds, 1), number(c.predictMicrosPerRow, 1));
        if (job.hyperparameters.isEmpty()) {
            text += QStringLiteral("The algorithm's default hyperparameters.\n");
        } else {
            text += QStringLiteral("| hyperparameter | value |\n|---|---|\n");
            for (auto it = job.hyperparameters.constBegin(); it != job.hyperparameters.constEnd(); ++it)
                text += QStringLiteral("| %1 | %2 |\n").arg(md(it.key()), md(hpText(it.value())));
        }
        if (!c.targetTransform.isEmpty())
            text += QStringLiteral("\nIt learnt `%1` of the target and maps its predictions back; the cell below trains on the "
                                   "target itself, so its scores differ from this candidate's.\n").arg(c.targetTransform);
        add(nb, CellType::Markdown, text);
        add(nb, CellType::Code, QStringLiteral("train(%1, %2,\n      hyperparameters=%3,\n      preprocessing=%4)")
                                    .arg(py(candidateName(c)), py(c.algorithm), pyValue(job.hyperparameters), pyValue(job.preprocessing)));
    }

    add(nb, CellType::Markdown, QStringLiteral("## Scoring with `cairn predict`\n\n"
                                               "The AutoML run's model and every model trained again above predict the rows of the "
                                               "training file, raw as they are. These are rows the models trained on, so the scores "
                                               "are optimistic; the leaderboard's out-of-fold scores are the honest estimate."));
    const QString scoreFunction = profile.task == Task::Regression
        ? QStringLiteral(
              "def score(truth, predicted):\n"
              "    truth, predicted = pd.to_numeric(truth), pd.to_numeric(predicted)\n"
              "    keep = truth.notna()\n"
              "    truth, predicted = truth[keep], predicted[keep]\n"
              "    mse = float(((truth - predicted) ** 2).mean())\n"
              "    r2 = 1 - mse * len(truth) / float(((truth - truth.mean()) ** 2).sum())\n"
              "    return {\"rows\": len(truth), \"mse\": mse, \"rmse\": mse ** 0.5, \"r2\": r2}\n")
        : QStringLiteral(
              "def score(truth, predicted):\n"
              "    keep = truth.notna()\n"
              "    truth, predicted = truth[keep], predicted[keep]\n"
              "    as_numbers = pd.to_numeric(truth, errors=\"coerce\"), pd.to_numeric(predicted, errors=\"coerce\")\n"
              "    if as_numbers[0].notna().all() and as_numbers[1].notna().all():\n"
              "        right = as_numbers[0].values == as_numbers[1].values\n"
              "    else:\n"
              "        right = truth.astype(str).str.lower().values == predicted.astype(str).str.lower().values\n"
              "    return {\"rows\": len(truth), \"accuracy\": float(right.mean())}\n");
    add(nb, CellType::Code, scoreFunction + QStringLiteral(
        "\n\n"
        "truth = pd.read_csv(TRAIN, dtype={TARGET: str})[TARGET]\n"
        "scores = {}\n"
        "with tempfile.TemporaryDirectory() as folder:\n"
        "    for name, run in [(\"AutoML model\", AUTOML_RUN), *reproduced.items()]:\n"
        "        output = os.path.join(folder, \"predictions.csv\")\n"
        "        cairn(\"predict\", \"--model\", run, \"--input\", TRAIN, \"--output\", output)\n"
        "        predictions = pd.read_csv(output, dtype={\"prediction\": str})\n"
        "        scores[name] = score(truth, predictions[\"prediction\"])\n"
        "pd.DataFrame(scores).T\n"));
    return nb;
}

} // namespace

QJsonObject candidatePreprocessing(const DataProfile &profile, bool impute)
{
    QJsonObject p{{QStringLiteral("exclude"), QJsonArray::fromStringList(profile.droppedColumns())},
                  {QStringLiteral("categoricalEncoding"), QStringLiteral("auto")},
                  {QStringLiteral("datetimeParts"), true},
                  {QStringLiteral("textFeatures"), true}};
    if (impute)
        p.insert(QStringLiteral("impute"), true);
    return p;
}

QStringList writeAutoMLNotebooks(const QString &runArtifactDir, const AutoMLSpec &spec, const DataProfile &profile,
                                 const QList<Candidate> &leaderboard, const QString &runUuid)
{
    const QDir dir(QDir(runArtifactDir).filePath(QStringLiteral("notebooks")));
    if (!QDir().mkpath(dir.path()))
        throw Error(QStringLiteral("cannot create the folder %1").arg(dir.path()));
    // <workspace>/artifacts/<run>: the workspace is two levels up.
    const QString workspace = QDir::cleanPath(QDir(runArtifactDir).absoluteFilePath(QStringLiteral("../..")));
    const QString exploration = dir.filePath(QStringLiteral("data_exploration.ipynb"));
    const QString candidates = dir.filePath(QStringLiteral("candidate_definitions.ipynb"));
    explorationNotebook(spec, profile, runUuid).save(exploration);
    candidatesNotebook(workspace, spec, profile, leaderboard, runUuid).save(candidates);
    return {exploration, candidates};
}

} // namespace cairn::automl
