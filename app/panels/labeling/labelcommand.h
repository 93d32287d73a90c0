#pragma once

#include "cairn/labeling/labelingtypes.h"

#include <QUndoCommand>

#include <functional>

namespace cairn::panels {

/// One labeling action on one item (a class, a box drawn or moved, a skip, an accept), as the
/// item's status and annotation before and after. Undo and redo commit through `apply` at once,
/// like the action itself.
class LabelCommand : public QUndoCommand
{
public:
    using Apply = std::function<void(int item, cairn::labeling::ItemStatus, const cairn::labeling::Annotation &)>;

    LabelCommand(Apply apply, int item, cairn::labeling::ItemStatus beforeStatus, cairn::labeling::Annotation before,
                 cairn::labeling::ItemStatus afterStatus, cairn::labeling::Annotation after, const QString &text)
        : QUndoCommand(text), m_apply(std::move(apply)), m_item(item), m_beforeStatus(beforeStatus), m_before(std::move(before)),
          m_afterStatus(afterStatus), m_after(std::move(after))
    {
    }
    void undo() override { m_apply(m_item, m_beforeStatus, m_before); }
    void redo() override { m_apply(m_item, m_afterStatus, m_after); }
    int item() const { return m_item; }

private:
    Apply m_apply;
    int m_item;
    cairn::labeling::ItemStatus m_beforeStatus;
    cairn::labeling::Annotation m_before;
    cairn::labeling::ItemStatus m_afterStatus;
    cairn::labeling::Annotation m_after;
};

} // namespace cairn::panels
