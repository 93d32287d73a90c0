#include "cairn/algorithms/tabular.h"

#include "cairn/data/csvreader.h"
#include "cairn/data/split.h"
#include "cairn/jobs/jobspec.h"
#include "cairn/store/types.h"
#include "cairn/util/error.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace cairn {

data::Table readChannelTable(const data::ChannelSpec &channel)
{
    if (channel.type != data::ChannelSpec::Type::Csv)
        throw Error(QStringLiteral("%1 is a %2 channel; this algorithm needs a table (CSV)")
                        .arg(channel.path, data::ChannelSpec::typeName(channel.type)));
    data::CsvOptions options;
    if (channel.delimiter == QLatin1String("\\t") || channel.delimiter == QLatin1String("tab"))
        options.delimiter = '\t';
    else if (channel.delimiter.size() == 1)
        options.delimiter = channel.delimiter.at(0).toLatin1();
    return data::CsvReader::read(channel.path, options);
}

Task inferTask(const data::Column &target)
{
    auto byCount = [](qsizetype n) { return n <= 2 ? Task::Binary : Task::Multiclass; };
    if (!target.isNumeric())
        return byCount(target.categories.size());
    if (target.type == data::ColumnType::Boolean)
        return Task::Binary;
    if (target.type == data::ColumnType::Datetime)
        return Task::Regression;
    QSet<double> distinct;
    for (double v : target.values) {
        if (std::isnan(v))
            continue;
        if (std::floor(v) != v)
            return Task::Regression;
        distinct.insert(v);
        if (distinct.size() > 10)
            return Task::Regression;
    }
    return byCount(distinct.size());
}

namespace {

/// Class names of a target column: sorted text (numbers numerically).
QStringList classNames(const data::Column &c)
{
    QStringList names;
    if (!c.isNumeric()) {
        QSet<int> used;
        for (auto code : c.codes)
            if (code >= 0)
                used.insert(code);
        for (int code : used)
            names << c.categories.at(code);
        std::sort(names.begin(), names.end());
        return names;
    }
    if (c.type == data::ColumnType::Boolean)
        return c.categories.size() == 2 ? c.categories : QStringList{QStringLiteral("false"), QStringLiteral("true")};
    QList<double> values;
    QSet<double> seen;
    for (double v : c.values)
        if (!std::isnan(v) && !seen.contains(v)) {
            seen.insert(v);
            values << v;
        }
    std::sort(values.begin(), values.end());
    for (double v : values)
        names << QString::number(v, 'g', 17);
    return names;
}

std::vector<int> labelsOf(const data::Column &c, const QStringList &classes, const QString &source, bool allowUnknown)
{
    QHash<QString, int> index;
    for (int i = 0; i < classes.size(); ++i)
        index.insert(classes.at(i), i);
    std::vector<int> labels(size_t(c.size()), -1);
    for (qsizetype r = 0; r < c.size(); ++r) {
        if (c.isMissing(r))
            continue;
        const QString t = c.text(r);
        const auto it = index.constFind(t);
        if (it == index.cend()) {
            if (allowUnknown)
                continue;
            throw Error(QStringLiteral("%1: row %2 has class '%3', which the training data does not have (classes: %4)")
                            .arg(source).arg(r + 1).arg(t, classes.join(QStringLiteral(", "))));
        }
        labels[size_t(r)] = *it;
    }
    return labels;
}

std::vector<double> numericTarget(const data::Column &c, const QString &source)
{
    if (!c.isNumeric())
        throw Error(QStringLiteral("%1: target column '%2' is %3; regression needs numbers")
                        .arg(source, c.name, data::columnTypeName(c.type)));
    return c.values;
}

} // namespace

data::FeatureEncoderOptions preprocessingOptions(const data::FeatureEncoderOptions &base, const QJsonObject &preprocessing)
{
    static const QStringList known{QStringLiteral("exclude"), QStringLiteral("categoricalEncoding"), QStringLiteral("oneHotMaxCardinality"),
                                   QStringLiteral("datetimeParts"), QStringLiteral("textFeatures"), QStringLiteral("impute"),
                                   QStringLiteral("scale")};
    data::FeatureEncoderOptions o = base;
    auto flag = [&](const QString &key) -> std::optional<bool> {
        const QJsonValue v = preprocessing.value(key);
        if (v.isUndefined() || v.isNull())
            return std::nullopt;
        if (!v.isBool())
            throw Error(QStringLiteral("preprocessing: \"%1\" must be true or false").arg(key));
        return v.toBool();
    };
    for (auto it = preprocessing.begin(); it != preprocessing.end(); ++it)
        if (!known.contains(it.key()))
            throw Error(QStringLiteral("preprocessing: unknown setting \"%1\" (known: %2)").arg(it.key(), known.join(QStringLiteral(", "))));
    const QJsonValue encoding = preprocessing.value(QStringLiteral("categoricalEncoding"));
    if (!encoding.isUndefined() && !encoding.isNull()) {
        const auto e = data::categoricalEncodingFromName(encoding.toString());
        if (!encoding.isString() || !e)
            throw Error(QStringLiteral("preprocessing: \"categoricalEncoding\" must be onehot, ordinal, target or auto (not %1)")
                            .arg(encoding.isString() ? encoding.toString() : QStringLiteral("a %1").arg(encoding.isDouble() ? QStringLiteral("number") : QStringLiteral("non-string"))));
        o.categoricalEncoding = *e;
    }
    const QJsonValue cardinality = preprocessing.value(QStringLiteral("oneHotMaxCardinality"));
    if (!cardinality.isUndefined() && !cardinality.isNull()) {
        if (!cardinality.isDouble() || cardinality.toDouble() < 0 || cardinality.toDouble() != std::floor(cardinality.toDouble()))
            throw Error(QStringLiteral("preprocessing: \"oneHotMaxCardinality\" must be a whole number of at least 0"));
        o.oneHotMaxCardinality = cardinality.toInt();
        // One-hot columns keep that many categories at least.
        o.maxCategories = std::max(o.maxCategories, o.oneHotMaxCardinality);
    }
    if (const auto v = flag(QStringLiteral("datetimeParts")))
        o.datetimeParts = *v;
    if (const auto v = flag(QStringLiteral("textFeatures")))
        o.textFeatures = *v;
    if (const auto v = flag(QStringLiteral("impute"))) {
        // Off keeps the algorithm's own imputation (a network cannot take NaN); on adds the
        // median and the indicators.
        o.imputeMissing = base.imputeMissing || *v;
        o.imputeMedian = *v;
        o.missingIndicators = *v;
    }
    if (const auto v = flag(QStringLiteral("scale")))
        o.standardize = *v;
    const QJsonValue exclude = preprocessing.value(QStringLiteral("exclude"));
    if (!exclude.isUndefined() && !exclude.isNull()) {
        bool ok = exclude.isArray();
        for (const QJsonValue &v : exclude.toArray())
            ok = ok && v.isString();
        if (!ok)
            throw Error(QStringLiteral("preprocessing: \"exclude\" must be a list of column names"));
    }
    return o;
}

TabularData prepareTabular(JobContext &context, const data::FeatureEncoderOptions &options, std::optional<Task> forcedTask)
{
    const JobSpec &spec = context.spec();
    if (!spec.hasChannel(QStringLiteral("train")))
        throw Error(QStringLiteral("the job has no train channel"));
    // Settings first: a mistake in them fails before any data is read.
    data::FeatureEncoderOptions encoderOptions = preprocessingOptions(options, spec.preprocessing);
    encoderOptions.seed = spec.seed;
    const data::ChannelSpec trainChannel = spec.channels.value(QStringLiteral("train"));
    context.progress(0, QStringLiteral("reading %1").arg(QFileInfo(trainChannel.path).fileName()));
    data::Table train = readChannelTable(trainChannel);
    context.log(QStringLiteral("read %1: %2 rows, %3 columns").arg(trainChannel.path).arg(train.rowCount()).arg(train.columnCount()));
    // Checked on the whole file, so that the row is the file's, not the training split's.
    QStringList excludedColumns;
    for (const QJsonValue &v : spec.preprocessing.value(QStringLiteral("exclude")).toArray())
        excludedColumns << v.toString();
    data::FeatureEncoder::checkFloatRange(train, trainChannel.path, excludedColumns);

    TabularData d;
    d.target = spec.target;
    Task task = Task::Regression;
    if (forcedTask)
        task = *forcedTask;
    else if (!spec.task.isEmpty()) {
        const auto t = taskFromName(spec.task);
        if (!t)
            throw Error(QStringLiteral("unknown task '%1' (use binary, multiclass, regression or clustering)").arg(spec.task));
        task = *t;
    }
    const bool supervised = task != Task::Clustering;
    if (supervised && d.target.isEmpty())
        throw Error(QStringLiteral("no target column given: say which column to predict (--target; columns: %1)")
                        .arg(train.columnNames().join(QStringLiteral(", "))));
    if (!d.target.isEmpty() && train.indexOf(d.target) < 0)
        throw Error(QStringLiteral("%1 has no column '%2' (columns: %3)").arg(trainChannel.path, d.target, train.columnNames().join(QStringLiteral(", "))));

    std::optional<data::Table> validation;
    if (spec.hasChannel(QStringLiteral("validation"))) {
        const data::ChannelSpec vc = spec.channels.value(QStringLiteral("validation"));
        validation = readChannelTable(vc);
        context.log(QStringLiteral("read %1: %2 rows").arg(vc.path).arg(validation->rowCount()));
        data::FeatureEncoder::checkFloatRange(*validation, vc.path, excludedColumns);
    }

    if (!d.target.isEmpty()) {
        const data::Column &targetColumn = train.column(d.target);
        if (!forcedTask && spec.task.isEmpty())
            task = inferTask(targetColumn);
        if (isClassification(task) || task == Task::Clustering) {
            d.classes = classNames(targetColumn);
            if (task != Task::Clustering) {
                if (d.classes.size() < 2)
                    throw Error(QStringLiteral("target '%1' has %2 class(es); classification needs at least two").arg(d.target).arg(d.classes.size()));
                if (task == Task::Binary && d.classes.size() > 2)
                    task = Task::Multiclass;
                if (d.classes.size() == 2 && task == Task::Multiclass && spec.task.isEmpty())
                    task = Task::Binary;
            }
        }
    }
    d.task = task;
    context.log(QStringLiteral("task: %1%2").arg(taskName(task), d.classes.isEmpty() ? QString() : QStringLiteral(" (classes: %1)").arg(d.classes.join(QStringLiteral(", ")))));

    // Drop rows without a target (supervised only).
    std::vector<int> labels;
    std::vector<double> values;
    if (!d.target.isEmpty()) {
        const data::Column &tc = train.column(d.target);
        std::vector<qsizetype> keep;
        if (isClassification(task) || task == Task::Clustering) {
            labels = labelsOf(tc, d.classes, trainChannel.path, false);
            for (size_t r = 0; r < labels.size(); ++r)
                if (labels[r] >= 0 || task == Task::Clustering)
                    keep.push_back(qsizetype(r));
        } else {
            values = numericTarget(tc, trainChannel.path);
            for (size_t r = 0; r < values.size(); ++r)
                if (!std::isnan(values[r]))
                    keep.push_back(qsizetype(r));
        }
        if (qsizetype(keep.size()) < train.rowCount()) {
            context.log(QStringLiteral("dropped %1 rows without a value in '%2'").arg(train.rowCount() - qsizetype(keep.size())).arg(d.target), LogLevel::Warning);
            train = train.select(keep);
            std::vector<int> l2;
            std::vector<double> v2;
            for (qsizetype r : keep) {
                if (!labels.empty()) l2.push_back(labels[size_t(r)]);
                if (!values.empty()) v2.push_back(values[size_t(r)]);
            }
            labels.swap(l2);
            values.swap(v2);
        }
    }
    if (train.rowCount() == 0)
        throw Error(QStringLiteral("%1 has no rows to train on").arg(trainChannel.path));

    data::Table trainPart = train;
    data::Table validationPart;
    std::vector<int> labelsVal;
    std::vector<double> valuesVal;
    if (validation) {
        validationPart = *validation;
        if (!d.target.isEmpty() && validationPart.indexOf(d.target) >= 0) {
            const data::Column &vc = validationPart.column(d.target);
            std::vector<qsizetype> keep;
            if (!labels.empty()) {
                labelsVal = labelsOf(vc, d.classes, spec.channels.value(QStringLiteral("validation")).path, task == Task::Clustering);
                for (size_t r = 0; r < labelsVal.size(); ++r)
                    if (labelsVal[r] >= 0 || task == Task::Clustering)
                        keep.push_back(qsizetype(r));
            } else if (!values.empty()) {
                valuesVal = numericTarget(vc, spec.channels.value(QStringLiteral("validation")).path);
                for (size_t r = 0; r < valuesVal.size(); ++r)
                    if (!std::isnan(valuesVal[r]))
                        keep.push_back(qsizetype(r));
            }
            if (qsizetype(keep.size()) < validationPart.rowCount()) {
                validationPart = validationPart.select(keep);
                std::vector<int> l2;
                std::vector<double> v2;
                for (qsizetype r : keep) {
                    if (!labelsVal.empty()) l2.push_back(labelsVal[size_t(r)]);
                    if (!valuesVal.empty()) v2.push_back(valuesVal[size_t(r)]);
                }
                labelsVal.swap(l2);
                valuesVal.swap(v2);
            }
        } else if (supervised) {
            throw Error(QStringLiteral("the validation data has no column '%1'").arg(d.target));
        }
    } else if (spec.validationFraction > 0 && train.rowCount() >= 5) {
        const bool stratify = isClassification(task) && !labels.empty();
        const data::Split split = data::trainValidationSplit(train.rowCount(), spec.validationFraction, spec.seed, stratify ? &labels : nullptr);
        trainPart = train.select(split.train);
        validationPart = train.select(split.validation);
        std::vector<int> lt;
        std::vector<double> vt;
        for (qsizetype r : split.train) {
            if (!labels.empty()) lt.push_back(labels[size_t(r)]);
            if (!values.empty()) vt.push_back(values[size_t(r)]);
        }
        for (qsizetype r : split.validation) {
            if (!labels.empty()) labelsVal.push_back(labels[size_t(r)]);
            if (!values.empty()) valuesVal.push_back(values[size_t(r)]);
        }
        labels.swap(lt);
        values.swap(vt);
        context.log(QStringLiteral("no validation channel: held out %1 of %2 rows (seed %3%4)")
                        .arg(split.validation.size()).arg(train.rowCount()).arg(spec.seed)
                        .arg(stratify ? QStringLiteral(", stratified") : QString()));
    }

    QStringList features = trainPart.columnNames();
    if (!d.target.isEmpty())
        features.removeAll(d.target);
    QStringList excluded;
    for (const QJsonValue &v : spec.preprocessing.value(QStringLiteral("exclude")).toArray())
        excluded << v.toString();
    QStringList unknown;
    for (const QString &name : excluded)
        if (trainPart.indexOf(name) < 0)
            unknown << name;
    if (!unknown.isEmpty())
        throw Error(QStringLiteral("preprocessing excludes %1 '%2', which %3 does not have (columns: %4)")
                        .arg(unknown.size() == 1 ? QStringLiteral("column") : QStringLiteral("columns"), unknown.join(QStringLiteral("', '")),
                             trainChannel.path, train.columnNames().join(QStringLiteral(", "))));
    for (const QString &name : excluded)
        features.removeAll(name);
    excluded.removeAll(d.target);
    if (!excluded.isEmpty())
        context.log(QStringLiteral("excluded from the features: %1").arg(excluded.join(QStringLiteral(", "))));

    data::EncoderTarget encoderTarget;
    if (supervised && isClassification(task))
        encoderTarget = data::EncoderTarget::classification(labels, d.classes);
    else if (supervised)
        encoderTarget = data::EncoderTarget::regression(values);
    d.xTrain = d.encoder.fitTransform(trainPart, features, encoderOptions, encoderTarget, trainChannel.path);
    if (!d.encoder.droppedColumns().isEmpty())
        context.log(QStringLiteral("text columns not used as features: %1").arg(d.encoder.droppedColumns().join(QStringLiteral(", "))));
    for (const QString &line : d.encoder.describe())
        context.log(QStringLiteral("preprocessing: %1").arg(line));
    if (d.encoder.width() == 0)
        throw Error(QStringLiteral("no usable feature columns (every column besides the target is free text or excluded)"));
    d.width = d.encoder.width();
    d.nTrain = trainPart.rowCount();
    if (validationPart.rowCount() > 0) {
        d.xValidation = d.encoder.transform(validationPart, QStringLiteral("the validation data"));
        d.nValidation = validationPart.rowCount();
    }
    d.labelsTrain = std::move(labels);
    d.labelsValidation = std::move(labelsVal);
    d.valuesTrain = std::move(values);
    d.valuesValidation = std::move(valuesVal);
    context.log(QStringLiteral("%1 training rows, %2 validation rows, %3 features").arg(d.nTrain).arg(d.nValidation).arg(d.width));
    return d;
}

ModelCard tabularModelCard(const JobContext &context, const TabularData &data, const QString &plugin)
{
    const JobSpec &spec = context.spec();
    ModelCard card;
    card.algorithm = spec.algorithm;
    card.plugin = plugin;
    card.task = taskName(data.task);
    card.target = data.target;
    card.classes = data.classes;
    for (const auto &f : data.encoder.features()) {
        QJsonObject o{{QStringLiteral("name"), f.column}, {QStringLiteral("type"), data::columnTypeName(f.type)}};
        if (!f.categories.isEmpty())
            o.insert(QStringLiteral("categories"), QJsonArray::fromStringList(f.categories));
        card.inputSchema.append(o);
    }
    card.preprocessing = QJsonObject{{QStringLiteral("kind"), QStringLiteral("tabular")}, {QStringLiteral("encoder"), data.encoder.toJson()}};
    card.hyperparameters = spec.hyperparameters;
    card.runUuid = spec.runUuid;
    card.jobId = spec.id;
    card.createdAt = nowMs();
    return card;
}

std::vector<float> encodeForPrediction(const ModelCard &card, const data::Table &table)
{
    const data::FeatureEncoder encoder = data::FeatureEncoder::fromJson(card.preprocessing.value(QStringLiteral("encoder")).toObject());
    return encoder.transform(table);
}

void writeOutputFile(const JobContext &context, const QString &relativePath, const QByteArray &text)
{
    const QString path = QDir(context.outputDir()).filePath(relativePath);
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(text) != text.size())
        throw Error(QStringLiteral("cannot write %1: %2").arg(path, f.errorString()));
}

} // namespace cairn
