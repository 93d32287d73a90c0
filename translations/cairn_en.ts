<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>cairn::gui::DataPicker</name>
    <message numerus="yes">
        <source>%1: %n column(s); the first rows with the type inferred for each column.</source>
        <translation>
            <numerusform>%1: %n column; the first rows with the type inferred for each column.</numerusform>
            <numerusform>%1: %n columns; the first rows with the type inferred for each column.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cairn::gui::JobService</name>
    <message numerus="yes">
        <source>%n run(s) left running by a process that is gone were marked failed.</source>
        <translation>
            <numerusform>%n run left running by a process that is gone was marked failed.</numerusform>
            <numerusform>%n runs left running by a process that is gone were marked failed.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n job(s) of the previous workspace were stopped.</source>
        <translation>
            <numerusform>%n job of the previous workspace was stopped.</numerusform>
            <numerusform>%n jobs of the previous workspace were stopped.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cairn::panels::AutoMLPanel</name>
    <message numerus="yes">
        <source>%n AutoML run(s).</source>
        <translation>
            <numerusform>%n AutoML run.</numerusform>
            <numerusform>%n AutoML runs.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cairn::panels::AutoMLRunPage</name>
    <message numerus="yes">
        <source>, %n failed</source>
        <translation>
            <numerusform>, %n failed</numerusform>
            <numerusform>, %n failed</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cairn::panels::AutoMLTargetPage</name>
    <message numerus="yes">
        <source>… %n more</source>
        <translation>
            <numerusform>… %n more</numerusform>
            <numerusform>… %n more</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1: %n class(es): %2</source>
        <translation>
            <numerusform>%1: %n class: %2</numerusform>
            <numerusform>%1: %n classes: %2</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>; %n row(s) without a target are left out</source>
        <translation>
            <numerusform>; %n row without a target is left out</numerusform>
            <numerusform>; %n rows without a target are left out</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cairn::panels::BatchPredictionDialog</name>
    <message numerus="yes">
        <source>Wrote %n prediction(s) to %1.</source>
        <translation>
            <numerusform>Wrote %n prediction to %1.</numerusform>
            <numerusform>Wrote %n predictions to %1.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cairn::panels::CompareView</name>
    <message numerus="yes">
        <source>%1 of %n run(s) in the brushes</source>
        <translation>
            <numerusform>%1 of %n run in the brushes</numerusform>
            <numerusform>%1 of %n runs in the brushes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Comparing %n runs.</source>
        <translation>
            <numerusform>Comparing %n run.</numerusform>
            <numerusform>Comparing %n runs.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cairn::panels::DebuggerPanel</name>
    <message numerus="yes">
        <source>%n rule(s) found issues; click one to jump to the step where it fired.</source>
        <translation>
            <numerusform>%n rule found issues; click one to jump to the step where it fired.</numerusform>
            <numerusform>%n rules found issues; click one to jump to the step where it fired.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cairn::panels::ExperimentListModel</name>
    <message numerus="yes">
        <source>%1 (deleted: restore it to add runs)
%n runs</source>
        <translation>
            <numerusform>%1 (deleted: restore it to add runs)
%n run</numerusform>
            <numerusform>%1 (deleted: restore it to add runs)
%n runs</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1
%n runs · id %2</source>
        <translation>
            <numerusform>%1
%n run · id %2</numerusform>
            <numerusform>%1
%n runs · id %2</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cairn::panels::ExperimentsPanel</name>
    <message numerus="yes">
        <source>%n runs</source>
        <translation>
            <numerusform>%n run</numerusform>
            <numerusform>%n runs</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n matching</source>
        <translation>
            <numerusform>%n matching</numerusform>
            <numerusform>%n matching</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Saved %n runs to %1</source>
        <translation>
            <numerusform>Saved %n run to %1</numerusform>
            <numerusform>Saved %n runs to %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Delete %n experiments? Their runs stay in the workspace; tick &quot;Show deleted experiments&quot; to restore them.</source>
        <translation>
            <numerusform>Delete %n experiment? Its runs stay in the workspace; tick &quot;Show deleted experiments&quot; to restore them.</numerusform>
            <numerusform>Delete %n experiments? Their runs stay in the workspace; tick &quot;Show deleted experiments&quot; to restore them.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Compare %n Runs</source>
        <translation>
            <numerusform>Compare %n Run</numerusform>
            <numerusform>Compare %n Runs</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Tag name (set on %n runs):</source>
        <translation>
            <numerusform>Tag name (set on %n run):</numerusform>
            <numerusform>Tag name (set on %n runs):</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Delete %n runs? Deleted runs can be restored: choose &quot;Deleted runs&quot; above the table.</source>
        <translation>
            <numerusform>Delete %n run? Deleted runs can be restored: choose &quot;Deleted runs&quot; above the table.</numerusform>
            <numerusform>Delete %n runs? Deleted runs can be restored: choose &quot;Deleted runs&quot; above the table.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cairn::panels::LabelingPanel</name>
    <message numerus="yes">
        <source>%n box(es)</source>
        <translation>
            <numerusform>%n box</numerusform>
            <numerusform>%n boxes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n machine label(s)</source>
        <translation>
            <numerusform>%n machine label</numerusform>
            <numerusform>%n machine labels</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>A CNN is trained on the %n human label(s) as a training job, then labels the other images.</source>
        <translation>
            <numerusform>A CNN is trained on the %n human label as a training job, then labels the other images.</numerusform>
            <numerusform>A CNN is trained on the %n human labels as a training job, then labels the other images.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cairn::panels::OutputView</name>
    <message numerus="yes">
        <source>… %n earlier line(s) not shown</source>
        <translation>
            <numerusform>… %n earlier line not shown</numerusform>
            <numerusform>… %n earlier lines not shown</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cairn::panels::RunDetailView</name>
    <message numerus="yes">
        <source>%n child runs</source>
        <translation>
            <numerusform>%n child run</numerusform>
            <numerusform>%n child runs</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1: %n point(s)</source>
        <translation>
            <numerusform>%1: %n point</numerusform>
            <numerusform>%1: %n points</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cairn::panels::RunsTableModel</name>
    <message numerus="yes">
        <source>%1 (%n trials)</source>
        <translation>
            <numerusform>%1 (%n trial)</numerusform>
            <numerusform>%1 (%n trials)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>last %1 at step %2
min %3, max %4, %n points</source>
        <translation>
            <numerusform>last %1 at step %2
min %3, max %4, %n point</numerusform>
            <numerusform>last %1 at step %2
min %3, max %4, %n points</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cairn::panels::TuningPanel</name>
    <message numerus="yes">
        <source>%1: %n trial(s)</source>
        <translation>
            <numerusform>%1: %n trial</numerusform>
            <numerusform>%1: %n trials</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n failed</source>
        <translation>
            <numerusform>, %n failed</numerusform>
            <numerusform>, %n failed</numerusform>
        </translation>
    </message>
</context>
</TS>
