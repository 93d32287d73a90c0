#include "columnsdialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace cairn::panels {

ColumnsDialog::ColumnsDialog(const QStringList &paramKeys, const QStringList &metricKeys, const QStringList &tagKeys,
                             const QList<RunColumn> &current, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Columns"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Tick the metrics, parameters and tags to show as columns:"), this));
    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(tr("Search keys"));
    m_search->setClearButtonEnabled(true);
    layout->addWidget(m_search);
    m_list = new QListWidget(this);
    layout->addWidget(m_list, 1);
    auto addSection = [this, &current](const QString &title, RunColumn::Kind kind, const QStringList &keys) {
        if (keys.isEmpty())
            return;
        auto *header = new QListWidgetItem(title, m_list);
        header->setFlags(Qt::NoItemFlags);
        QFont bold = header->font();
        bold.setBold(true);
        header->setFont(bold);
        for (const QString &key : keys) {
            auto *item = new QListWidgetItem(key, m_list);
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
            item->setCheckState(current.contains(RunColumn{kind, key}) ? Qt::Checked : Qt::Unchecked);
            item->setData(Qt::UserRole, RunColumn{kind, key}.spec());
        }
    };
    addSection(tr("Metrics"), RunColumn::Metric, metricKeys);
    addSection(tr("Parameters"), RunColumn::Param, paramKeys);
    addSection(tr("Tags"), RunColumn::Tag, tagKeys);
    if (m_list->count() == 0)
        new QListWidgetItem(tr("The runs have no metrics, parameters or tags yet."), m_list);
    connect(m_search, &QLineEdit::textChanged, this, &ColumnsDialog::filter);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    auto *none = buttons->addButton(tr("Clear All"), QDialogButtonBox::ResetRole);
    connect(none, &QPushButton::clicked, this, [this] {
        for (int i = 0; i < m_list->count(); ++i)
            if (m_list->item(i)->flags() & Qt::ItemIsUserCheckable)
                m_list->item(i)->setCheckState(Qt::Unchecked);
    });
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(380, 480);
}

void ColumnsDialog::filter(const QString &text)
{
    for (int i = 0; i < m_list->count(); ++i) {
        QListWidgetItem *item = m_list->item(i);
        if (item->flags() & Qt::ItemIsUserCheckable)
            item->setHidden(!item->text().contains(text, Qt::CaseInsensitive));
    }
}

QList<RunColumn> ColumnsDialog::columns() const
{
    QList<RunColumn> out;
    for (int i = 0; i < m_list->count(); ++i) {
        const QListWidgetItem *item = m_list->item(i);
        if ((item->flags() & Qt::ItemIsUserCheckable) && item->checkState() == Qt::Checked)
            if (auto column = RunColumn::fromSpec(item->data(Qt::UserRole).toString()))
                out << *column;
    }
    return out;
}

} // namespace cairn::panels
