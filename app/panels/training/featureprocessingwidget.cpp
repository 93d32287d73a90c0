#include "featureprocessingwidget.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QJsonArray>
#include <QListWidget>
#include <QSet>
#include <QSpinBox>

namespace cairn::panels {

namespace {
constexpr int kDefaultOneHotMax = 10; // FeatureEncoderOptions::oneHotMaxCardinality
}

FeatureProcessingWidget::FeatureProcessingWidget(QWidget *parent) : QGroupBox(tr("Feature processing"), parent)
{
    setObjectName(QStringLiteral("featureProcessing"));
    setCheckable(true);
    setChecked(false);
    setToolTip(tr("How the table's columns become features; unchecked, the algorithm's own defaults apply"));
    auto *form = new QFormLayout(this);

    m_exclude = new QListWidget(this);
    m_exclude->setObjectName(QStringLiteral("excludeColumns"));
    m_exclude->setFlow(QListView::LeftToRight);
    m_exclude->setWrapping(true);
    m_exclude->setResizeMode(QListView::Adjust);
    m_exclude->setMaximumHeight(88);
    m_exclude->setToolTip(tr("Checked columns are never features (IDs, names, columns that leak the answer)"));
    form->addRow(tr("Leave out:"), m_exclude);

    m_encoding = new QComboBox(this);
    m_encoding->setObjectName(QStringLiteral("categoricalEncoding"));
    m_encoding->addItem(tr("Algorithm default"), QString());
    m_encoding->addItem(tr("Automatic (by number of categories)"), QStringLiteral("auto"));
    m_encoding->addItem(tr("One-hot indicators"), QStringLiteral("onehot"));
    m_encoding->addItem(tr("Category codes"), QStringLiteral("ordinal"));
    m_encoding->addItem(tr("Target encoding (out of fold)"), QStringLiteral("target"));
    m_encoding->setToolTip(tr("Automatic: one-hot up to the limit below, target encoding above it"));
    form->addRow(tr("Categories:"), m_encoding);

    m_oneHotMax = new QSpinBox(this);
    m_oneHotMax->setObjectName(QStringLiteral("oneHotMaxCardinality"));
    m_oneHotMax->setRange(0, 10000);
    m_oneHotMax->setValue(kDefaultOneHotMax);
    m_oneHotMax->setToolTip(tr("Automatic encoding: columns with at most this many categories become one-hot indicators"));
    form->addRow(tr("One-hot up to (categories):"), m_oneHotMax);

    m_datetimeParts = new QCheckBox(tr("Dates as year, month, day, weekday and hour"), this);
    m_datetimeParts->setObjectName(QStringLiteral("datetimeParts"));
    form->addRow(m_datetimeParts);
    m_textFeatures = new QCheckBox(tr("Text as length, word count and frequent words"), this);
    m_textFeatures->setObjectName(QStringLiteral("textFeatures"));
    form->addRow(m_textFeatures);
    m_impute = new QCheckBox(tr("Fill missing numbers with the median and flag them"), this);
    m_impute->setObjectName(QStringLiteral("impute"));
    form->addRow(m_impute);

    m_scale = new QComboBox(this);
    m_scale->setObjectName(QStringLiteral("scale"));
    m_scale->addItem(tr("Algorithm default"), QString());
    m_scale->addItem(tr("Standardise (mean 0, deviation 1)"), QStringLiteral("true"));
    m_scale->addItem(tr("Leave as they are"), QStringLiteral("false"));
    form->addRow(tr("Scale numbers:"), m_scale);

    connect(this, &QGroupBox::toggled, this, &FeatureProcessingWidget::changed);
    connect(m_exclude, &QListWidget::itemChanged, this, [this](QListWidgetItem *item) {
        const QString column = item->data(Qt::UserRole).toString();
        if (item->checkState() == Qt::Checked)
            m_excluded.insert(column);
        else
            m_excluded.remove(column);
        Q_EMIT changed();
    });
    connect(m_encoding, &QComboBox::currentIndexChanged, this, [this] {
        updateEnabled();
        Q_EMIT changed();
    });
    connect(m_oneHotMax, &QSpinBox::valueChanged, this, &FeatureProcessingWidget::changed);
    for (QCheckBox *box : {m_datetimeParts, m_textFeatures, m_impute})
        connect(box, &QCheckBox::toggled, this, &FeatureProcessingWidget::changed);
    connect(m_scale, &QComboBox::currentIndexChanged, this, &FeatureProcessingWidget::changed);
    updateEnabled();
}

void FeatureProcessingWidget::updateEnabled()
{
    m_oneHotMax->setEnabled(m_encoding->currentData().toString() == QLatin1String("auto"));
}

void FeatureProcessingWidget::setColumns(const QStringList &columns, const QStringList &types, const QString &target)
{
    const QSignalBlocker block(m_exclude);
    m_exclude->clear();
    for (int i = 0; i < columns.size(); ++i) {
        if (columns.at(i) == target)
            continue;
        auto *item = new QListWidgetItem(QStringLiteral("%1 (%2)").arg(columns.at(i), types.value(i)), m_exclude);
        item->setData(Qt::UserRole, columns.at(i));
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        item->setCheckState(m_excluded.contains(columns.at(i)) ? Qt::Checked : Qt::Unchecked);
    }
}

QJsonObject FeatureProcessingWidget::config() const
{
    if (!isChecked())
        return {};
    QJsonObject o;
    QJsonArray exclude;
    for (int i = 0; i < m_exclude->count(); ++i)
        if (m_exclude->item(i)->checkState() == Qt::Checked)
            exclude.append(m_exclude->item(i)->data(Qt::UserRole).toString());
    if (!exclude.isEmpty())
        o.insert(QStringLiteral("exclude"), exclude);
    const QString encoding = m_encoding->currentData().toString();
    if (!encoding.isEmpty())
        o.insert(QStringLiteral("categoricalEncoding"), encoding);
    if (encoding == QLatin1String("auto"))
        o.insert(QStringLiteral("oneHotMaxCardinality"), m_oneHotMax->value());
    if (m_datetimeParts->isChecked())
        o.insert(QStringLiteral("datetimeParts"), true);
    if (m_textFeatures->isChecked())
        o.insert(QStringLiteral("textFeatures"), true);
    if (m_impute->isChecked())
        o.insert(QStringLiteral("impute"), true);
    const QString scale = m_scale->currentData().toString();
    if (!scale.isEmpty())
        o.insert(QStringLiteral("scale"), scale == QLatin1String("true"));
    return o;
}

void FeatureProcessingWidget::setConfig(const QJsonObject &preprocessing)
{
    setChecked(!preprocessing.isEmpty());
    m_excluded.clear();
    for (const QJsonValue &v : preprocessing.value(QStringLiteral("exclude")).toArray())
        m_excluded.insert(v.toString());
    {
        const QSignalBlocker block(m_exclude);
        for (int i = 0; i < m_exclude->count(); ++i)
            m_exclude->item(i)->setCheckState(m_excluded.contains(m_exclude->item(i)->data(Qt::UserRole).toString()) ? Qt::Checked
                                                                                                                      : Qt::Unchecked);
    }
    const int e = m_encoding->findData(preprocessing.value(QStringLiteral("categoricalEncoding")).toString().toLower());
    m_encoding->setCurrentIndex(e >= 0 ? e : 0);
    m_oneHotMax->setValue(preprocessing.value(QStringLiteral("oneHotMaxCardinality")).toInt(kDefaultOneHotMax));
    m_datetimeParts->setChecked(preprocessing.value(QStringLiteral("datetimeParts")).toBool());
    m_textFeatures->setChecked(preprocessing.value(QStringLiteral("textFeatures")).toBool());
    m_impute->setChecked(preprocessing.value(QStringLiteral("impute")).toBool());
    const QJsonValue scale = preprocessing.value(QStringLiteral("scale"));
    m_scale->setCurrentIndex(scale.isBool() ? (scale.toBool() ? 1 : 2) : 0);
    updateEnabled();
}

} // namespace cairn::panels
