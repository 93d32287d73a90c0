<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>cairn::gui::DataPicker</name>
    <message>
        <source>Target:</source>
        <translation>目标：</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Training data:</source>
        <translation>训练数据：</translation>
    </message>
    <message>
        <source>CSV file, IDX images or an image folder</source>
        <translation>CSV 文件、IDX 图像或图像文件夹</translation>
    </message>
    <message>
        <source>Choose the training data</source>
        <translation>选择训练数据</translation>
    </message>
    <message>
        <source>Validation data:</source>
        <translation>验证数据：</translation>
    </message>
    <message>
        <source>optional: a share of the training data is held out</source>
        <translation>可选：留出一部分训练数据用于验证</translation>
    </message>
    <message>
        <source>Choose the validation data</source>
        <translation>选择验证数据</translation>
    </message>
    <message>
        <source>The column the model learns to predict</source>
        <translation>模型要学习预测的列</translation>
    </message>
    <message>
        <source>Data (*.csv *.tsv *.txt *.gz *-ubyte *.idx *.jsonl *.manifest);;All files (*)</source>
        <translation>数据 (*.csv *.tsv *.txt *.gz *-ubyte *.idx *.jsonl *.manifest);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Choose the training data.</source>
        <translation>请选择训练数据。</translation>
    </message>
    <message>
        <source>The training data %1 does not exist.</source>
        <translation>训练数据 %1 不存在。</translation>
    </message>
    <message>
        <source>The validation data %1 does not exist.</source>
        <translation>验证数据 %1 不存在。</translation>
    </message>
    <message>
        <source>%1 does not exist.</source>
        <translation>%1 不存在。</translation>
    </message>
    <message>
        <source>%1: %2 (the labels come with the data; no target column to pick).</source>
        <translation>%1：%2（标签随数据提供，无需选择目标列）。</translation>
    </message>
    <message>
        <source>Reading %1…</source>
        <translation>正在读取 %1…</translation>
    </message>
    <message numerus="yes">
        <source>%1: %n column(s); the first rows with the type inferred for each column.</source>
        <translation>
            <numerusform>%1：%n 列；以下是前几行及每列推断出的类型。</numerusform>
        </translation>
    </message>
    <message>
        <source>Folder…</source>
        <translation>文件夹…</translation>
    </message>
    <message>
        <source>Choose an image folder with one sub-folder per class</source>
        <translation>选择图像文件夹（每个类别一个子文件夹）</translation>
    </message>
    <message>
        <source>Choose an image folder</source>
        <translation>选择图像文件夹</translation>
    </message>
</context>
<context>
    <name>cairn::gui::DisplayText</name>
    <message>
        <source>XGBoost (gradient-boosted trees)</source>
        <translation>XGBoost（梯度提升树）</translation>
    </message>
    <message>
        <source>Gradient-boosted decision trees for tables: classification and regression, missing values handled natively.</source>
        <translation>用于表格数据的梯度提升决策树：分类与回归，原生处理缺失值。</translation>
    </message>
    <message>
        <source>Linear learner (linear / logistic / softmax regression)</source>
        <translation>线性学习器（线性 / 逻辑 / softmax 回归）</translation>
    </message>
    <message>
        <source>A linear model trained with mini-batch gradient descent, with L1 and L2 penalties; logistic for two classes, softmax for more, least squares for numbers.</source>
        <translation>用小批量梯度下降训练的线性模型，带 L1 和 L2 惩罚；两类用逻辑回归，多类用 softmax，数值用最小二乘。</translation>
    </message>
    <message>
        <source>Multilayer perceptron for tables</source>
        <translation>用于表格数据的多层感知机</translation>
    </message>
    <message>
        <source>Fully connected layers with dropout for tabular classification and regression; inputs are standardised and one-hot encoded.</source>
        <translation>带 dropout 的全连接层，用于表格分类与回归；输入经过标准化和独热编码。</translation>
    </message>
    <message>
        <source>Convolutional network for images</source>
        <translation>用于图像的卷积网络</translation>
    </message>
    <message>
        <source>The classic two-convolution MNIST network (conv 3×3 ×2, max-pool, dropout, two dense layers) for IDX files, image folders or labeling manifests.</source>
        <translation>经典的双卷积 MNIST 网络（3×3 卷积 ×2、最大池化、dropout、两个全连接层），适用于 IDX 文件、图像文件夹或标注清单。</translation>
    </message>
    <message>
        <source>k-means clustering</source>
        <translation>k-means 聚类</translation>
    </message>
    <message>
        <source>Groups rows (or IDX images) into k clusters; reports inertia per iteration and purity when labels exist.</source>
        <translation>将行（或 IDX 图像）分成 k 个簇；每次迭代报告惯性，有标签时报告纯度。</translation>
    </message>
    <message>
        <source>k-nearest neighbours</source>
        <translation>k 近邻</translation>
    </message>
    <message>
        <source>Predicts from the k most similar training rows (standardised features, imputed missing values).</source>
        <translation>根据 k 个最相似的训练行进行预测（特征已标准化，缺失值已填补）。</translation>
    </message>
    <message>
        <source>Scheduled</source>
        <translation>已计划</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Killed</source>
        <translation>已终止</translation>
    </message>
    <message>
        <source>binary classification</source>
        <translation>二分类</translation>
    </message>
    <message>
        <source>multiclass classification</source>
        <translation>多分类</translation>
    </message>
    <message>
        <source>regression</source>
        <translation>回归</translation>
    </message>
    <message>
        <source>clustering</source>
        <translation>聚类</translation>
    </message>
    <message>
        <source>image classification</source>
        <translation>图像分类</translation>
    </message>
</context>
<context>
    <name>cairn::gui::HostPicker</name>
    <message>
        <source>Where the job runs: this machine or one of your SSH hosts (add hosts in the Resources panel)</source>
        <translation>作业运行的位置：本机或您的某台 SSH 主机（在“资源”面板中添加主机）</translation>
    </message>
    <message>
        <source>%1 (not among your hosts)</source>
        <translation>%1（不在您的主机列表中）</translation>
    </message>
    <message>
        <source>local (this machine)</source>
        <translation>local（本机）</translation>
    </message>
    <message>
        <source>This machine</source>
        <translation>本机</translation>
    </message>
</context>
<context>
    <name>cairn::gui::JobService</name>
    <message>
        <source>Job %1 on its host cannot be followed: %2</source>
        <translation>无法继续跟踪在远程主机上的作业 %1：%2</translation>
    </message>
    <message numerus="yes">
        <source>Following %n job(s) still running on SSH hosts.</source>
        <translation>
            <numerusform>正在继续跟踪 %n 个仍在 SSH 主机上运行的作业。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n run(s) left running by a process that is gone were marked failed.</source>
        <translation>
            <numerusform>有 %n 个运行的进程已不存在，已标记为失败。</numerusform>
        </translation>
    </message>
    <message>
        <source>Training jobs are unavailable: %1</source>
        <translation>训练作业不可用：%1</translation>
    </message>
    <message numerus="yes">
        <source>%n job(s) of the previous workspace were stopped.</source>
        <translation>
            <numerusform>已停止上一个工作区的 %n 个作业。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cairn::gui::MetricCatalog</name>
    <message>
        <source>per step</source>
        <translation>每步</translation>
    </message>
    <message>
        <source>per epoch</source>
        <translation>每轮</translation>
    </message>
    <message>
        <source>per boosting round</source>
        <translation>每个提升轮次</translation>
    </message>
    <message>
        <source>per iteration</source>
        <translation>每次迭代</translation>
    </message>
    <message>
        <source>per candidate</source>
        <translation>每个候选模型</translation>
    </message>
    <message>
        <source>per trial</source>
        <translation>每次试验</translation>
    </message>
    <message>
        <source>step</source>
        <translation>步</translation>
    </message>
    <message>
        <source>epoch</source>
        <translation>轮</translation>
    </message>
    <message>
        <source>boosting round</source>
        <translation>提升轮次</translation>
    </message>
    <message>
        <source>iteration</source>
        <translation>迭代</translation>
    </message>
    <message>
        <source>candidate</source>
        <translation>候选模型</translation>
    </message>
    <message>
        <source>trial</source>
        <translation>试验</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
</context>
<context>
    <name>cairn::gui::ParallelCoordinates</name>
    <message>
        <source>%1 of %2 shown · drag along an axis to brush, click it to clear · point at a line to name it</source>
        <translation>显示 %1 / %2 · 沿坐标轴拖动以刷选，单击坐标轴清除 · 指向一条线可查看它是哪个</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
</context>
<context>
    <name>cairn::gui::ParameterForm</name>
    <message>
        <source>Tune</source>
        <translation>调优</translation>
    </message>
    <message>
        <source>Parameter</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Search range</source>
        <translation>搜索范围</translation>
    </message>
    <message>
        <source>Default: %1</source>
        <translation>默认值：%1</translation>
    </message>
    <message>
        <source>Range: %1 to %2</source>
        <translation>范围：%1 到 %2</translation>
    </message>
    <message>
        <source>One of: %1</source>
        <translation>可选值：%1</translation>
    </message>
    <message>
        <source>Let the tuner vary %1 within the range on the right</source>
        <translation>让调优器在右侧范围内改变 %1</translation>
    </message>
    <message>
        <source>Lowest value the tuner tries</source>
        <translation>调优器尝试的最小值</translation>
    </message>
    <message>
        <source>Highest value the tuner tries</source>
        <translation>调优器尝试的最大值</translation>
    </message>
    <message>
        <source>log</source>
        <translation>对数</translation>
    </message>
    <message>
        <source>Search on a log scale (for values spanning orders of magnitude)</source>
        <translation>按对数刻度搜索（适用于跨越多个数量级的值）</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>%1: not a valid value</source>
        <translation>%1：不是有效的值</translation>
    </message>
    <message>
        <source>%1 of %2 values</source>
        <translation>%1 / %2 个值</translation>
    </message>
    <message>
        <source>The values the tuner picks from: %1</source>
        <translation>调优器可从中选择的值：%1</translation>
    </message>
</context>
<context>
    <name>cairn::gui::PlotExport</name>
    <message>
        <source>Cannot write %1: check that the folder exists and is writable.</source>
        <translation>无法写入 %1：请检查文件夹是否存在且可写。</translation>
    </message>
    <message>
        <source>Unknown image type &apos;.%1&apos;: save as .png or .svg.</source>
        <translation>未知的图像类型“.%1”：请保存为 .png 或 .svg。</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
    <message>
        <source>SVG image (*.svg)</source>
        <translation>SVG 图像 (*.svg)</translation>
    </message>
    <message>
        <source>Export Plot</source>
        <translation>导出图表</translation>
    </message>
</context>
<context>
    <name>cairn::gui::StudioContext</name>
    <message>
        <source>No workspace is open.</source>
        <translation>没有打开的工作区。</translation>
    </message>
</context>
<context>
    <name>cairn::panels::AddHostWizard</name>
    <message>
        <source>A Slurm cluster: its login host, or Slurm&apos;s commands on this machine</source>
        <translation>Slurm 集群：通过其登录主机，或在本机运行 Slurm 命令</translation>
    </message>
    <message>
        <source>Where is the Slurm cluster?</source>
        <translation>Slurm 集群在哪里？</translation>
    </message>
    <message>
        <source>Cairn submits each job with sbatch and follows it with squeue and scontrol, on this machine or on the cluster&apos;s login host over SSH.</source>
        <translation>Cairn 用 sbatch 提交每个作业，并用 squeue 和 scontrol 跟踪它，命令在本机运行，或通过 SSH 在集群的登录主机上运行。</translation>
    </message>
    <message>
        <source>what to call it, e.g. hpc</source>
        <translation>给它起个名字，例如 hpc</translation>
    </message>
    <message>
        <source>Slurm&apos;s commands run on this machine (it is a login node of the cluster)</source>
        <translation>Slurm 命令在本机运行（本机是集群的登录节点）</translation>
    </message>
    <message>
        <source>Through the cluster&apos;s login host over SSH</source>
        <translation>通过 SSH 连接集群的登录主机</translation>
    </message>
    <message>
        <source>user@login.cluster.example.org</source>
        <translation>user@login.cluster.example.org</translation>
    </message>
    <message>
        <source>Login host:</source>
        <translation>登录主机：</translation>
    </message>
    <message>
        <source>Jobs and their data live in the work folder (next page&apos;s settings): it must be on the cluster&apos;s shared filesystem, and the cairn command must be on the compute nodes&apos; PATH.</source>
        <translation>作业及其数据存放在工作文件夹中（下一页的设置）：它必须位于集群的共享文件系统上，并且计算节点的 PATH 中必须有 cairn 命令。</translation>
    </message>
    <message>
        <source>Give the cluster a name.</source>
        <translation>请为集群命名。</translation>
    </message>
    <message>
        <source>Enter the login host, as user@host or host.</source>
        <translation>请输入登录主机，格式为 user@host 或 host。</translation>
    </message>
    <message>
        <source>Cluster test</source>
        <translation>集群测试</translation>
    </message>
    <message>
        <source>Cairn asks Slurm for its partitions, nodes and queue (sinfo, scontrol, squeue).</source>
        <translation>Cairn 向 Slurm 查询其分区、节点和队列（sinfo、scontrol、squeue）。</translation>
    </message>
    <message>
        <source>The login host presents this key:</source>
        <translation>登录主机出示了这个密钥：</translation>
    </message>
    <message>
        <source>You can add a cluster that does not answer yet and test it later.</source>
        <translation>你可以先添加暂时没有响应的集群，稍后再测试。</translation>
    </message>
    <message>
        <source>Asking Slurm through %1…</source>
        <translation>正在通过 %1 查询 Slurm…</translation>
    </message>
    <message>
        <source>Asking Slurm on this machine…</source>
        <translation>正在查询本机的 Slurm…</translation>
    </message>
    <message>
        <source>Slurm answered: %1 partition(s), %2 node(s), %3 CPUs, %4 GPUs</source>
        <translation>Slurm 已响应：%1 个分区，%2 个节点，%3 个 CPU，%4 个 GPU</translation>
    </message>
    <message>
        <source>The cluster has no partition yet: jobs cannot run until its administrator adds one.</source>
        <translation>集群还没有分区：在管理员添加分区之前无法运行作业。</translation>
    </message>
    <message>
        <source>Jobs on %1 become batch jobs; pick a partition in the Training form or with --partition.</source>
        <translation>%1 上的作业会成为批处理作业；请在训练表单中或用 --partition 选择分区。</translation>
    </message>
    <message>
        <source>the login host %1</source>
        <translation>登录主机 %1</translation>
    </message>
    <message>
        <source>Slurm&apos;s commands are not on the login host %1</source>
        <translation>登录主机 %1 上没有 Slurm 命令</translation>
    </message>
    <message>
        <source>Slurm&apos;s commands are not installed on this machine</source>
        <translation>本机没有安装 Slurm 命令</translation>
    </message>
    <message>
        <source>sinfo was not found there: give the cluster&apos;s login node, where sbatch and squeue work.</source>
        <translation>在那里找不到 sinfo：请填写集群的登录节点，即能运行 sbatch 和 squeue 的机器。</translation>
    </message>
    <message>
        <source>sinfo was not found: install slurm-client (apt install slurm-client) and the cluster&apos;s slurm.conf, or choose to reach the cluster through its login host.</source>
        <translation>找不到 sinfo：请安装 slurm-client（apt install slurm-client）和集群的 slurm.conf，或选择通过登录主机连接集群。</translation>
    </message>
    <message>
        <source>Slurm&apos;s controller does not answer</source>
        <translation>Slurm 控制器没有响应</translation>
    </message>
    <message>
        <source>slurmctld may be down or restarting, or slurm.conf points elsewhere: try again later, or ask the cluster&apos;s administrator.</source>
        <translation>slurmctld 可能已停止或正在重启，或者 slurm.conf 指向了别处：请稍后再试，或询问集群管理员。</translation>
    </message>
    <message>
        <source>Slurm did not answer</source>
        <translation>Slurm 没有响应</translation>
    </message>
    <message>
        <source>Add host</source>
        <translation>添加主机</translation>
    </message>
    <message>
        <source>&amp;Next &gt;</source>
        <translation>下一步(&amp;N) &gt;</translation>
    </message>
    <message>
        <source>&lt; &amp;Back</source>
        <translation>&lt; 上一步(&amp;B)</translation>
    </message>
    <message>
        <source>&amp;Add host</source>
        <translation>添加主机(&amp;A)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Where is the machine?</source>
        <translation>机器在哪里？</translation>
    </message>
    <message>
        <source>Cairn reaches hosts with your own ssh: its config, keys, agent and known_hosts.</source>
        <translation>Cairn 使用您自己的 ssh 连接主机：沿用其配置、密钥、代理和 known_hosts。</translation>
    </message>
    <message>
        <source>A host of my SSH config (~/.ssh/config)</source>
        <translation>我的 SSH 配置中的主机（~/.ssh/config）</translation>
    </message>
    <message>
        <source>Another machine, entered by hand</source>
        <translation>手动输入的其他机器</translation>
    </message>
    <message>
        <source>what to call it, e.g. gpu1</source>
        <translation>给它起个名字，例如 gpu1</translation>
    </message>
    <message>
        <source>name or address, e.g. gpu1.lab.example.org</source>
        <translation>主机名或地址，例如 gpu1.lab.example.org</translation>
    </message>
    <message>
        <source>default: as ssh decides</source>
        <translation>默认：由 ssh 决定</translation>
    </message>
    <message>
        <source>default (22)</source>
        <translation>默认（22）</translation>
    </message>
    <message>
        <source>default: your agent and ~/.ssh/id_*</source>
        <translation>默认：您的代理和 ~/.ssh/id_*</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Host:</source>
        <translation>主机：</translation>
    </message>
    <message>
        <source>User:</source>
        <translation>用户：</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>端口：</translation>
    </message>
    <message>
        <source>Identity file:</source>
        <translation>身份文件：</translation>
    </message>
    <message>
        <source>Private key</source>
        <translation>私钥</translation>
    </message>
    <message>
        <source>(no Host entries in %1)</source>
        <translation>（%1 中没有 Host 条目）</translation>
    </message>
    <message>
        <source>Pick a host of your SSH config, or enter one by hand.</source>
        <translation>请选择 SSH 配置中的主机，或手动输入。</translation>
    </message>
    <message>
        <source>Give the host a name.</source>
        <translation>请为主机命名。</translation>
    </message>
    <message>
        <source>The name &apos;local&apos; is this computer: choose another.</source>
        <translation>名称 local 指本计算机：请另选一个。</translation>
    </message>
    <message>
        <source>Enter the machine&apos;s name or address.</source>
        <translation>请输入机器的主机名或地址。</translation>
    </message>
    <message>
        <source>Connection test</source>
        <translation>连接测试</translation>
    </message>
    <message>
        <source>Cairn connects, looks at the machine and asks its worker for its version.</source>
        <translation>Cairn 将连接并检查这台机器，并询问其工作进程的版本。</translation>
    </message>
    <message>
        <source>The machine presents this key:</source>
        <translation>这台机器出示的密钥：</translation>
    </message>
    <message>
        <source>I have compared this fingerprint and trust this machine</source>
        <translation>我已核对此指纹并信任这台机器</translation>
    </message>
    <message>
        <source>Accept the key and test again</source>
        <translation>接受密钥并重新测试</translation>
    </message>
    <message>
        <source>Test again</source>
        <translation>重新测试</translation>
    </message>
    <message>
        <source>You can add a host that does not answer yet (a stopped machine) and test it later.</source>
        <translation>也可以添加暂时无应答的主机（例如已停止的机器），以后再测试。</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Where jobs live on the host, what it costs, and when to stop it.</source>
        <translation>作业在主机上的存放位置、费用以及何时停止。</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>正在连接 %1…</translation>
    </message>
    <message>
        <source>(ssh did not show a fingerprint)</source>
        <translation>（ssh 未显示指纹）</translation>
    </message>
    <message>
        <source>Recording the key of %1…</source>
        <translation>正在记录 %1 的密钥…</translation>
    </message>
    <message>
        <source>The host could not be saved: %1</source>
        <translation>无法保存主机：%1</translation>
    </message>
</context>
<context>
    <name>cairn::panels::AutoMLBudgetPage</name>
    <message>
        <source>Ensemble of the best candidates</source>
        <translation>集成最佳候选模型</translation>
    </message>
    <message>
        <source>Budget</source>
        <translation>预算</translation>
    </message>
    <message>
        <source>How long to search and what to try. The search stops at whichever limit comes first.</source>
        <translation>搜索多长时间、尝试哪些算法。任一限制先到即停止搜索。</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Hours:minutes:seconds. Candidates still training when it runs out are stopped.</source>
        <translation>时:分:秒。时间用完时仍在训练的候选模型会被停止。</translation>
    </message>
    <message>
        <source>Time limit:</source>
        <translation>时间限制：</translation>
    </message>
    <message>
        <source>no limit</source>
        <translation>不限</translation>
    </message>
    <message>
        <source>The most candidate models to train (0: as many as the time allows)</source>
        <translation>最多训练的候选模型数（0：时间允许多少就训练多少）</translation>
    </message>
    <message>
        <source>Max candidates:</source>
        <translation>最大候选数：</translation>
    </message>
    <message>
        <source>Algorithms:</source>
        <translation>算法：</translation>
    </message>
    <message>
        <source>Combine the best candidates when that beats the best one alone</source>
        <translation>当组合优于单个最佳模型时，组合最佳候选模型</translation>
    </message>
    <message>
        <source>Validation:</source>
        <translation>验证：</translation>
    </message>
    <message>
        <source>Experiment:</source>
        <translation>实验：</translation>
    </message>
    <message>
        <source>automatic (automl-TARGET)</source>
        <translation>自动（automl-目标列）</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>5-fold cross-validation for these %1 rows</source>
        <translation>这 %1 行使用 5 折交叉验证</translation>
    </message>
    <message>
        <source>a held-out share of these %1 rows</source>
        <translation>从这 %1 行中留出一部分验证</translation>
    </message>
    <message>
        <source>auto (5-fold ≤ 20,000 rows, else hold-out): %1</source>
        <translation>自动（≤ 20,000 行用 5 折，否则留出验证）：%1</translation>
    </message>
    <message>
        <source>Open a workspace to run AutoML.</source>
        <translation>请先打开工作区再运行 AutoML。</translation>
    </message>
    <message>
        <source>Set a time limit above zero.</source>
        <translation>请设置大于零的时间限制。</translation>
    </message>
    <message>
        <source>No installed algorithm handles %1.</source>
        <translation>没有已安装的算法支持%1。</translation>
    </message>
    <message>
        <source>Tick at least one algorithm to try.</source>
        <translation>请至少勾选一个要尝试的算法。</translation>
    </message>
    <message>
        <source>Hosts:</source>
        <translation>主机：</translation>
    </message>
    <message>
        <source>Where the candidates train: this machine and any of your SSH hosts. With several ticked, each candidate goes to the host with the most free room (its job limit applies)</source>
        <translation>候选模型训练的位置：本机以及您的任意 SSH 主机。勾选多台时，每个候选模型会分配到空闲容量最多的主机（遵守该主机的作业上限）</translation>
    </message>
    <message>
        <source>Tick at least one host to train the candidates on.</source>
        <translation>请至少勾选一台训练候选模型的主机。</translation>
    </message>
</context>
<context>
    <name>cairn::panels::AutoMLDataPage</name>
    <message>
        <source>%1 has a header but no rows.</source>
        <translation>%1 只有表头，没有数据行。</translation>
    </message>
    <message>
        <source>%1 has a single column: AutoML needs feature columns and a target column.</source>
        <translation>%1 只有一列：AutoML 需要特征列和目标列。</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <source>The table to learn from: a CSV file with a header row, one example per row.</source>
        <translation>用于学习的表格：带表头行的 CSV 文件，每行一个样本。</translation>
    </message>
    <message>
        <source>CSV file</source>
        <translation>CSV 文件</translation>
    </message>
    <message>
        <source>Training data:</source>
        <translation>训练数据：</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Recent</source>
        <translation>最近</translation>
    </message>
    <message>
        <source>CSV files used lately</source>
        <translation>最近使用的 CSV 文件</translation>
    </message>
    <message>
        <source>…or drop a CSV file onto this page.</source>
        <translation>……或将 CSV 文件拖放到此页。</translation>
    </message>
    <message>
        <source>Choose a CSV file, pick a recent one, or drop one here.</source>
        <translation>选择一个 CSV 文件、从最近文件中选取，或拖放到此处。</translation>
    </message>
    <message>
        <source>%1 does not exist or is not a file.</source>
        <translation>%1 不存在或不是文件。</translation>
    </message>
    <message>
        <source>Reading %1…</source>
        <translation>正在读取 %1…</translation>
    </message>
    <message>
        <source>%1: %2 rows × %3 columns. The first %4 rows, with the type inferred for each column.</source>
        <translation>%1：%2 行 × %3 列。以下是前 %4 行及每列推断出的类型。</translation>
    </message>
    <message>
        <source>Choose the training data</source>
        <translation>选择训练数据</translation>
    </message>
    <message>
        <source>CSV files (*.csv *.tsv *.txt);;All files (*)</source>
        <translation>CSV 文件 (*.csv *.tsv *.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <source>No recent files</source>
        <translation>没有最近文件</translation>
    </message>
</context>
<context>
    <name>cairn::panels::AutoMLFinishPage</name>
    <message>
        <source>Best model</source>
        <translation>最佳模型</translation>
    </message>
    <message>
        <source>The best model is saved with the AutoML run: “cairn predict --model RUN” scores raw CSV rows with it.</source>
        <translation>最佳模型随 AutoML 运行一起保存：“cairn predict --model 运行”可用它为原始 CSV 行打分。</translation>
    </message>
</context>
<context>
    <name>cairn::panels::AutoMLPanel</name>
    <message>
        <source>New AutoML job…</source>
        <translation>新建 AutoML 作业…</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Pick a CSV and a target; AutoML tries every tabular algorithm within a time budget and keeps the best model</source>
        <translation>选择 CSV 和目标列；AutoML 在时间预算内尝试所有表格算法并保留最佳模型</translation>
    </message>
    <message>
        <source>Stop the selected AutoML job: the candidates trained so far are kept</source>
        <translation>停止所选的 AutoML 作业：已训练的候选模型会保留</translation>
    </message>
    <message>
        <source>AutoML run</source>
        <translation>AutoML 运行</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <source>Open a workspace to run AutoML.</source>
        <translation>请先打开工作区再运行 AutoML。</translation>
    </message>
    <message>
        <source>AutoML finished: %1</source>
        <translation>AutoML 已完成：%1</translation>
    </message>
    <message>
        <source>AutoML failed: %1</source>
        <translation>AutoML 失败：%1</translation>
    </message>
    <message>
        <source>The AutoML job was stopped.</source>
        <translation>AutoML 作业已停止。</translation>
    </message>
    <message>
        <source>No AutoML run in this workspace yet.</source>
        <translation>此工作区还没有 AutoML 运行。</translation>
    </message>
    <message numerus="yes">
        <source>%n AutoML run(s).</source>
        <translation>
            <numerusform>%n 个 AutoML 运行。</numerusform>
        </translation>
    </message>
    <message>
        <source>Start an AutoML job with New AutoML job…, or pick a run on the left.</source>
        <translation>用“新建 AutoML 作业…”开始一个作业，或在左侧选择一个运行。</translation>
    </message>
    <message>
        <source>AutoML</source>
        <translation>AutoML</translation>
    </message>
</context>
<context>
    <name>cairn::panels::AutoMLResultView</name>
    <message>
        <source>cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>%1 is not valid JSON: %2</source>
        <translation>%1 不是有效的 JSON：%2</translation>
    </message>
    <message>
        <source>Open data exploration notebook</source>
        <translation>打开数据探索笔记本</translation>
    </message>
    <message>
        <source>Open candidate notebook</source>
        <translation>打开候选模型笔记本</translation>
    </message>
    <message>
        <source>Open runs</source>
        <translation>打开运行</translation>
    </message>
    <message>
        <source>Batch prediction…</source>
        <translation>批量预测…</translation>
    </message>
    <message>
        <source>The data analysis as a notebook: profile, distributions, dropped columns</source>
        <translation>以笔记本形式呈现的数据分析：概况、分布、被丢弃的列</translation>
    </message>
    <message>
        <source>A notebook that retrains each candidate through the CLI or the Python client</source>
        <translation>通过命令行或 Python 客户端重新训练每个候选模型的笔记本</translation>
    </message>
    <message>
        <source>Show the AutoML run (its candidates are child runs) in the Experiments panel</source>
        <translation>在“实验”面板中显示该 AutoML 运行（候选模型是其子运行）</translation>
    </message>
    <message>
        <source>Score a CSV with the best model and write the predictions to another CSV</source>
        <translation>用最佳模型为一个 CSV 打分，并把预测写入另一个 CSV</translation>
    </message>
    <message>
        <source>Feature importance appears when the best model is known</source>
        <translation>确定最佳模型后在此显示特征重要性</translation>
    </message>
    <message>
        <source>No finished candidate</source>
        <translation>没有已完成的候选模型</translation>
    </message>
    <message>
        <source>Feature importance</source>
        <translation>特征重要性</translation>
    </message>
    <message>
        <source>Objective over candidates</source>
        <translation>各候选模型的目标值</translation>
    </message>
    <message>
        <source>Run an AutoML job or pick one to see its results.</source>
        <translation>运行一个 AutoML 作业或选择一个来查看结果。</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;: predicts &lt;b&gt;%2&lt;/b&gt; (%3), objective %4</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;：预测 &lt;b&gt;%2&lt;/b&gt;（%3），目标指标 %4</translation>
    </message>
    <message>
        <source> — running</source>
        <translation> — 运行中</translation>
    </message>
    <message>
        <source>Trains in %1 s, predicts in %2 µs per row.</source>
        <translation>训练耗时 %1 秒，预测每行 %2 微秒。</translation>
    </message>
    <message>
        <source>Members: %1</source>
        <translation>成员：%1</translation>
    </message>
    <message>
        <source>No candidate finished.</source>
        <translation>没有候选模型完成。</translation>
    </message>
    <message>
        <source>Reading the run&apos;s results…</source>
        <translation>正在读取该运行的结果…</translation>
    </message>
    <message>
        <source>Best model: &lt;b&gt;%1&lt;/b&gt; with %2 = &lt;b&gt;%3&lt;/b&gt;</source>
        <translation>最佳模型：&lt;b&gt;%1&lt;/b&gt;，%2 = &lt;b&gt;%3&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Register model…</source>
        <translation>注册模型…</translation>
    </message>
    <message>
        <source>Deploy…</source>
        <translation>部署…</translation>
    </message>
    <message>
        <source>Register the best model as a new version of a registered model</source>
        <translation>将最佳模型注册为已注册模型的新版本</translation>
    </message>
    <message>
        <source>Serve the best model behind an HTTP endpoint</source>
        <translation>通过 HTTP 端点提供最佳模型的服务</translation>
    </message>
</context>
<context>
    <name>cairn::panels::AutoMLRunPage</name>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Candidates train in the background; closing this window leaves the job running in the AutoML panel.</source>
        <translation>候选模型在后台训练；关闭此窗口后作业仍在 AutoML 面板中继续运行。</translation>
    </message>
    <message>
        <source>Stop the search: the candidates trained so far are kept and the best of them is saved</source>
        <translation>停止搜索：已训练的候选模型会保留，并保存其中最佳的模型</translation>
    </message>
    <message>
        <source>The objective of each candidate appears here as it finishes</source>
        <translation>每个候选模型完成后，其目标值会显示在这里</translation>
    </message>
    <message>
        <source>&lt;b&gt;Stopping…&lt;/b&gt;</source>
        <translation>&lt;b&gt;正在停止…&lt;/b&gt;</translation>
    </message>
    <message>
        <source>AutoML could not start: %1</source>
        <translation>AutoML 无法启动：%1</translation>
    </message>
    <message>
        <source>&lt;b&gt;Starting…&lt;/b&gt;</source>
        <translation>&lt;b&gt;正在启动…&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Finished&lt;/b&gt; %1</source>
        <translation>&lt;b&gt;已完成&lt;/b&gt; %1</translation>
    </message>
    <message>
        <source>AutoML failed: %1</source>
        <translation>AutoML 失败：%1</translation>
    </message>
    <message>
        <source>%1 of at most %2 candidates done, %3 training</source>
        <translation>最多 %2 个候选中已完成 %1 个，%3 个正在训练</translation>
    </message>
    <message>
        <source>%1 candidates done, %2 training</source>
        <translation>已完成 %1 个候选，%2 个正在训练</translation>
    </message>
    <message numerus="yes">
        <source>, %n failed</source>
        <translation>
            <numerusform>，%n 个失败</numerusform>
        </translation>
    </message>
    <message>
        <source>; best %1 = %2</source>
        <translation>；最佳 %1 = %2</translation>
    </message>
    <message>
        <source>Took %1</source>
        <translation>用时 %1</translation>
    </message>
    <message>
        <source>Elapsed %1, at most %2 left</source>
        <translation>已用 %1，最多还剩 %2</translation>
    </message>
</context>
<context>
    <name>cairn::panels::AutoMLTargetPage</name>
    <message>
        <source>Data profile:</source>
        <translation>数据概况：</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>What to predict and how to judge the models. Auto picks from the data.</source>
        <translation>预测什么，以及如何评判模型。“自动”根据数据选择。</translation>
    </message>
    <message>
        <source>The column the models learn to predict</source>
        <translation>模型要学习预测的列</translation>
    </message>
    <message>
        <source>Target column:</source>
        <translation>目标列：</translation>
    </message>
    <message>
        <source>Auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>Binary classification</source>
        <translation>二分类</translation>
    </message>
    <message>
        <source>Multiclass classification</source>
        <translation>多分类</translation>
    </message>
    <message>
        <source>Regression</source>
        <translation>回归</translation>
    </message>
    <message>
        <source>Problem type:</source>
        <translation>问题类型：</translation>
    </message>
    <message>
        <source>The objective the candidates are ranked by</source>
        <translation>用于给候选模型排名的目标指标</translation>
    </message>
    <message>
        <source>Objective metric:</source>
        <translation>目标指标：</translation>
    </message>
    <message>
        <source>Target values:</source>
        <translation>目标值：</translation>
    </message>
    <message>
        <source>Choose the target column to predict.</source>
        <translation>请选择要预测的目标列。</translation>
    </message>
    <message>
        <source>Analysing the data…</source>
        <translation>正在分析数据…</translation>
    </message>
    <message>
        <source>Auto (detected: %1)</source>
        <translation>自动（检测为：%1）</translation>
    </message>
    <message>
        <source>Column</source>
        <translation>列</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Missing</source>
        <translation>缺失</translation>
    </message>
    <message>
        <source>Distinct</source>
        <translation>不同值</translation>
    </message>
    <message>
        <source>Use</source>
        <translation>用途</translation>
    </message>
    <message>
        <source>target</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>dropped: %1</source>
        <translation>丢弃：%1</translation>
    </message>
    <message>
        <source>feature</source>
        <translation>特征</translation>
    </message>
    <message>
        <source>Every column is used as a feature.</source>
        <translation>所有列都用作特征。</translation>
    </message>
    <message>
        <source>Dropped before training: %1.</source>
        <translation>训练前丢弃：%1。</translation>
    </message>
    <message numerus="yes">
        <source>… %n more</source>
        <translation>
            <numerusform>……另外 %n 个</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1: %n class(es): %2</source>
        <translation>
            <numerusform>%1：%n 个类别：%2</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: from %2 to %3, mean %4</source>
        <translation>%1：从 %2 到 %3，均值 %4</translation>
    </message>
    <message numerus="yes">
        <source>; %n row(s) without a target are left out</source>
        <translation>
            <numerusform>；%n 行没有目标值，已排除</numerusform>
        </translation>
    </message>
    <message>
        <source>Auto (%1)</source>
        <translation>自动（%1）</translation>
    </message>
</context>
<context>
    <name>cairn::panels::AutoMLWizard</name>
    <message>
        <source>New AutoML job</source>
        <translation>新建 AutoML 作业</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Start the AutoML job (Ctrl+Enter)</source>
        <translation>开始 AutoML 作业（Ctrl+Enter）</translation>
    </message>
</context>
<context>
    <name>cairn::panels::BatchPredictionDialog</name>
    <message>
        <source>cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>Predict</source>
        <translation>预测</translation>
    </message>
    <message>
        <source>Batch prediction</source>
        <translation>批量预测</translation>
    </message>
    <message>
        <source>Scores every row of a CSV with the best model of run %1 (the same columns as the training data; the target may be missing) and writes the predictions to a new CSV.</source>
        <translation>用运行 %1 的最佳模型为 CSV 的每一行打分（列与训练数据相同；可以没有目标列），并把预测写入新的 CSV。</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>CSV files (*.csv);;All files (*)</source>
        <translation>CSV 文件 (*.csv);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Write the predictions to</source>
        <translation>将预测写入</translation>
    </message>
    <message>
        <source>Rows to score</source>
        <translation>要打分的行</translation>
    </message>
    <message>
        <source>Input CSV:</source>
        <translation>输入 CSV：</translation>
    </message>
    <message>
        <source>Output CSV:</source>
        <translation>输出 CSV：</translation>
    </message>
    <message>
        <source>Run %1 has no saved model.</source>
        <translation>运行 %1 没有保存的模型。</translation>
    </message>
    <message>
        <source>Choose the CSV to score.</source>
        <translation>请选择要打分的 CSV。</translation>
    </message>
    <message>
        <source>%1 does not exist.</source>
        <translation>%1 不存在。</translation>
    </message>
    <message>
        <source>Choose where to write the predictions.</source>
        <translation>请选择预测的写入位置。</translation>
    </message>
    <message>
        <source>The output would overwrite the input: choose another file.</source>
        <translation>输出会覆盖输入：请选择另一个文件。</translation>
    </message>
    <message>
        <source>The folder of %1 does not exist.</source>
        <translation>%1 所在的文件夹不存在。</translation>
    </message>
    <message>
        <source>Scoring %1…</source>
        <translation>正在为 %1 打分…</translation>
    </message>
    <message numerus="yes">
        <source>Wrote %n prediction(s) to %1.</source>
        <translation>
            <numerusform>已将 %n 条预测写入 %1。</numerusform>
        </translation>
    </message>
    <message>
        <source>The prediction failed: %1</source>
        <translation>预测失败：%1</translation>
    </message>
    <message>
        <source>Host:</source>
        <translation>主机：</translation>
    </message>
    <message>
        <source>Where to score: this machine, or an SSH host (the model and the rows go over once, the predictions come back)</source>
        <translation>评分的位置：本机或某台 SSH 主机（模型和数据只传送一次，预测结果传回）</translation>
    </message>
</context>
<context>
    <name>cairn::panels::BestObjectivePlot</name>
    <message>
        <source>candidate</source>
        <translation>候选模型</translation>
    </message>
    <message>
        <source>best so far</source>
        <translation>目前最佳</translation>
    </message>
</context>
<context>
    <name>cairn::panels::CellWidget</name>
    <message>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>Waiting to run</source>
        <translation>等待运行</translation>
    </message>
    <message>
        <source>*Empty markdown cell: double-click to edit*</source>
        <translation>*空的 Markdown 单元格：双击编辑*</translation>
    </message>
</context>
<context>
    <name>cairn::panels::ColumnsDialog</name>
    <message>
        <source>Columns</source>
        <translation>列</translation>
    </message>
    <message>
        <source>Tick the metrics, parameters and tags to show as columns:</source>
        <translation>勾选要显示为列的指标、参数和标签：</translation>
    </message>
    <message>
        <source>Search keys</source>
        <translation>搜索键名</translation>
    </message>
    <message>
        <source>Metrics</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>The runs have no metrics, parameters or tags yet.</source>
        <translation>这些运行还没有指标、参数或标签。</translation>
    </message>
    <message>
        <source>Clear All</source>
        <translation>全部清除</translation>
    </message>
</context>
<context>
    <name>cairn::panels::CompareView</name>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Save the plot as PNG or SVG</source>
        <translation>将图表保存为 PNG 或 SVG</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>步</translation>
    </message>
    <message>
        <source>Relative time (s)</source>
        <translation>相对时间（秒）</translation>
    </message>
    <message>
        <source>Wall time</source>
        <translation>墙钟时间</translation>
    </message>
    <message>
        <source>Smoothing (exponential moving average)</source>
        <translation>平滑（指数移动平均）</translation>
    </message>
    <message>
        <source>Log scale</source>
        <translation>对数刻度</translation>
    </message>
    <message>
        <source>Metric:</source>
        <translation>指标：</translation>
    </message>
    <message>
        <source>X:</source>
        <translation>X：</translation>
    </message>
    <message>
        <source>Smoothing:</source>
        <translation>平滑：</translation>
    </message>
    <message>
        <source>The selected runs have not logged this metric</source>
        <translation>所选运行未记录此指标</translation>
    </message>
    <message>
        <source>Curves</source>
        <translation>曲线</translation>
    </message>
    <message>
        <source>Select Brushed Runs</source>
        <translation>选择刷选中的运行</translation>
    </message>
    <message>
        <source>Select in the table only the runs inside the brushes</source>
        <translation>在表格中只选择刷选范围内的运行</translation>
    </message>
    <message>
        <source>Clear Brushes</source>
        <translation>清除刷选</translation>
    </message>
    <message>
        <source>The selected runs share no parameters that differ</source>
        <translation>所选运行没有取值不同的共同参数</translation>
    </message>
    <message>
        <source>Parallel Coordinates</source>
        <translation>平行坐标</translation>
    </message>
    <message>
        <source>Y:</source>
        <translation>Y：</translation>
    </message>
    <message>
        <source>Scatter</source>
        <translation>散点图</translation>
    </message>
    <message>
        <source>Only rows that differ</source>
        <translation>只显示不同的行</translation>
    </message>
    <message>
        <source>Diff Table</source>
        <translation>差异表</translation>
    </message>
    <message>
        <source>Comparing the first %1 of %2 selected runs.</source>
        <translation>正在比较所选 %2 个运行中的前 %1 个。</translation>
    </message>
    <message numerus="yes">
        <source>Comparing %n runs.</source>
        <translation>
            <numerusform>正在比较 %n 个运行。</numerusform>
        </translation>
    </message>
    <message>
        <source>Cannot read the runs: %1</source>
        <translation>无法读取运行：%1</translation>
    </message>
    <message>
        <source>Cannot compare the runs: %1</source>
        <translation>无法比较运行：%1</translation>
    </message>
    <message>
        <source>Section</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>键</translation>
    </message>
    <message>
        <source>Highlighted: differs from the first run</source>
        <translation>高亮：与第一个运行不同</translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n run(s) in the brushes</source>
        <translation>
            <numerusform>刷选范围内有 %1 / %n 个运行</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: one value per run</source>
        <translation>%1：每个运行一个值</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
</context>
<context>
    <name>cairn::panels::DebuggerConfigWidget</name>
    <message>
        <source>Debugger</source>
        <translation>调试器</translation>
    </message>
    <message>
        <source>Save tensor statistics and histograms while training, and run rules on them beside the job</source>
        <translation>训练时保存张量统计量和直方图，并在作业旁运行规则检查它们</translation>
    </message>
    <message>
        <source>Collections:</source>
        <translation>采集集合：</translation>
    </message>
    <message>
        <source> steps</source>
        <translation> 步</translation>
    </message>
    <message>
        <source>Save the collections every this many training steps (XGBoost: rounds)</source>
        <translation>每隔这么多训练步保存一次采集集合（XGBoost：轮）</translation>
    </message>
    <message>
        <source>Save every:</source>
        <translation>保存间隔：</translation>
    </message>
    <message>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <source>Stop the job</source>
        <translation>停止作业</translation>
    </message>
    <message>
        <source>Stop the job when %1 finds an issue (it is always reported)</source>
        <translation>当 %1 发现问题时停止作业（问题总会被报告）</translation>
    </message>
    <message>
        <source>Rules:</source>
        <translation>规则：</translation>
    </message>
</context>
<context>
    <name>cairn::panels::DebuggerPanel</name>
    <message>
        <source>In progress</source>
        <translation>进行中</translation>
    </message>
    <message>
        <source>No issues found</source>
        <translation>未发现问题</translation>
    </message>
    <message>
        <source>Issues found</source>
        <translation>发现问题</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Run:</source>
        <translation>运行：</translation>
    </message>
    <message>
        <source>Runs that recorded debugger data (jobs with collections, or cairn.debugger.Hook)</source>
        <translation>记录了调试器数据的运行（带采集配置的作业，或使用 cairn.debugger.Hook）</translation>
    </message>
    <message>
        <source>Compare with:</source>
        <translation>比较对象：</translation>
    </message>
    <message>
        <source>Evaluate all rules</source>
        <translation>评估全部规则</translation>
    </message>
    <message>
        <source>Runs every built-in rule on the recorded data of this run</source>
        <translation>对此运行记录的数据执行所有内置规则</translation>
    </message>
    <message>
        <source>Tensor</source>
        <translation>张量</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>步数</translation>
    </message>
    <message>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>步</translation>
    </message>
    <message>
        <source>Heatmap</source>
        <translation>热力图</translation>
    </message>
    <message>
        <source>Histograms</source>
        <translation>直方图</translation>
    </message>
    <message>
        <source>Reduction:</source>
        <translation>统计量：</translation>
    </message>
    <message>
        <source>mean</source>
        <translation>均值</translation>
    </message>
    <message>
        <source>standard deviation</source>
        <translation>标准差</translation>
    </message>
    <message>
        <source>minimum</source>
        <translation>最小值</translation>
    </message>
    <message>
        <source>maximum</source>
        <translation>最大值</translation>
    </message>
    <message>
        <source>mean |x|</source>
        <translation>|x| 均值</translation>
    </message>
    <message>
        <source>L1 norm</source>
        <translation>L1 范数</translation>
    </message>
    <message>
        <source>L2 norm</source>
        <translation>L2 范数</translation>
    </message>
    <message>
        <source>zeros (%)</source>
        <translation>零值（%）</translation>
    </message>
    <message>
        <source>NaN count</source>
        <translation>NaN 数量</translation>
    </message>
    <message>
        <source>Inf count</source>
        <translation>Inf 数量</translation>
    </message>
    <message>
        <source>Select one or more tensors</source>
        <translation>选择一个或多个张量</translation>
    </message>
    <message>
        <source>Reductions</source>
        <translation>统计曲线</translation>
    </message>
    <message>
        <source>Choose a run to compare with above</source>
        <translation>在上方选择要比较的运行</translation>
    </message>
    <message>
        <source>Compare runs</source>
        <translation>比较运行</translation>
    </message>
    <message>
        <source>Step:</source>
        <translation>步：</translation>
    </message>
    <message>
        <source>Cannot evaluate the rules: %1</source>
        <translation>无法评估规则：%1</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>%1 · %2 · %3</source>
        <translation>%1 · %2 · %3</translation>
    </message>
    <message>
        <source>other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>%1–%2</source>
        <translation>%1–%2</translation>
    </message>
    <message>
        <source>Select a tensor to compare</source>
        <translation>选择要比较的张量</translation>
    </message>
    <message>
        <source>%1: left %2, right %3%4</source>
        <translation>%1：左 %2，右 %3%4</translation>
    </message>
    <message>
        <source> (no such tensor there)</source>
        <translation>（那里没有此张量）</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>step</source>
        <translation>步</translation>
    </message>
    <message>
        <source>step %1 · mean %2 · std %3 · min %4 · max %5 · zeros %6% · NaN %7</source>
        <translation>第 %1 步 · 均值 %2 · 标准差 %3 · 最小 %4 · 最大 %5 · 零值 %6% · NaN %7</translation>
    </message>
    <message>
        <source>No rules were evaluated on this run. Configure rules for a training job, or press “Evaluate all rules”.</source>
        <translation>此运行尚未评估任何规则。请为训练作业配置规则，或按“评估全部规则”。</translation>
    </message>
    <message numerus="yes">
        <source>%n rule(s) found issues; click one to jump to the step where it fired.</source>
        <translation>
            <numerusform>%n 条规则发现了问题；单击规则可跳转到其触发的步。</numerusform>
        </translation>
    </message>
    <message>
        <source>Rule %1 found an issue in run %2 at step %3%4</source>
        <translation>规则 %1 在运行 %2 的第 %3 步发现问题%4</translation>
    </message>
    <message>
        <source> (the job was stopped)</source>
        <translation>（作业已停止）</translation>
    </message>
    <message>
        <source>Debugger</source>
        <translation>调试器</translation>
    </message>
    <message>
        <source>Not applicable</source>
        <translation>不适用</translation>
    </message>
</context>
<context>
    <name>cairn::panels::ExperimentListModel</name>
    <message numerus="yes">
        <source>%1 (deleted: restore it to add runs)
%n runs</source>
        <translation>
            <numerusform>%1（已删除：恢复后才能添加运行）
%n 个运行</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1
%n runs · id %2</source>
        <translation>
            <numerusform>%1
%n 个运行 · 编号 %2</numerusform>
        </translation>
    </message>
    <message>
        <source>Experiment</source>
        <translation>实验</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>运行</translation>
    </message>
</context>
<context>
    <name>cairn::panels::ExperimentsPanel</name>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>比较</translation>
    </message>
    <message>
        <source>Experiments</source>
        <translation>实验</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>Create an experiment</source>
        <translation>创建实验</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <source>Rename the selected experiment</source>
        <translation>重命名所选实验</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Delete the selected experiments (they can be restored)</source>
        <translation>删除所选实验（可以恢复）</translation>
    </message>
    <message>
        <source>Ctrl+click to show the runs of several experiments together</source>
        <translation>按住 Ctrl 单击可同时显示多个实验的运行</translation>
    </message>
    <message>
        <source>Show deleted experiments</source>
        <translation>显示已删除的实验</translation>
    </message>
    <message>
        <source>Filter runs, e.g.  metrics.accuracy &gt; 0.9 and params.model = &apos;xgboost&apos;   (Ctrl+Space completes)</source>
        <translation>筛选运行，例如  metrics.accuracy &gt; 0.9 and params.model = &apos;xgboost&apos;   （Ctrl+空格 补全）</translation>
    </message>
    <message>
        <source>&lt;p&gt;The search language:&lt;/p&gt;&lt;pre&gt;metrics.acc &amp;gt; 0.9 and params.eta = &apos;0.1&apos;
tags.model = &apos;xgb&apos; or status = &apos;RUNNING&apos;
name LIKE &apos;resnet%&apos; and not metrics.loss IS NULL
params.optimizer IN (&apos;adam&apos;, &apos;sgd&apos;)&lt;/pre&gt;&lt;p&gt;Keys with spaces go in backticks: metrics.`val loss`. Press Enter to apply.&lt;/p&gt;</source>
        <translation>&lt;p&gt;搜索语言：&lt;/p&gt;&lt;pre&gt;metrics.acc &amp;gt; 0.9 and params.eta = &apos;0.1&apos;
tags.model = &apos;xgb&apos; or status = &apos;RUNNING&apos;
name LIKE &apos;resnet%&apos; and not metrics.loss IS NULL
params.optimizer IN (&apos;adam&apos;, &apos;sgd&apos;)&lt;/pre&gt;&lt;p&gt;含空格的键名放在反引号中：metrics.`val loss`。按回车应用。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>应用</translation>
    </message>
    <message>
        <source>Apply the filter (Enter)</source>
        <translation>应用筛选（回车）</translation>
    </message>
    <message>
        <source>Active runs</source>
        <translation>活动运行</translation>
    </message>
    <message>
        <source>Deleted runs</source>
        <translation>已删除的运行</translation>
    </message>
    <message>
        <source>All runs</source>
        <translation>全部运行</translation>
    </message>
    <message>
        <source>Group child runs under parents</source>
        <translation>将子运行归入父运行</translation>
    </message>
    <message>
        <source>Tuning trials and other child runs sit under their parent run; while a filter is applied, matching runs are listed flat.</source>
        <translation>调优试验等子运行显示在其父运行之下；应用筛选时，匹配的运行以平铺方式列出。</translation>
    </message>
    <message>
        <source>Columns…</source>
        <translation>列…</translation>
    </message>
    <message>
        <source>Pick the metric, parameter and tag columns</source>
        <translation>选择指标、参数和标签列</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>Save every matching run as CSV</source>
        <translation>将所有匹配的运行保存为 CSV</translation>
    </message>
    <message>
        <source>Compare the selected runs</source>
        <translation>比较所选运行</translation>
    </message>
    <message>
        <source>Select two or more runs to compare them (Ctrl+click or Shift+click).</source>
        <translation>选择两个或更多运行进行比较（Ctrl+单击 或 Shift+单击）。</translation>
    </message>
    <message>
        <source>Filter error at position %1: %2</source>
        <translation>筛选条件在第 %1 个字符处出错：%2</translation>
    </message>
    <message>
        <source>Cannot read the experiments: %1</source>
        <translation>无法读取实验：%1</translation>
    </message>
    <message>
        <source>Filter error at position %1: %2&lt;br&gt;&lt;code style=&apos;white-space:pre&apos;&gt;%3&lt;/code&gt;</source>
        <translation>筛选条件在第 %1 个字符处出错：%2&lt;br&gt;&lt;code style=&apos;white-space:pre&apos;&gt;%3&lt;/code&gt;</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message numerus="yes">
        <source>%n runs</source>
        <translation>
            <numerusform>%n 个运行</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n matching</source>
        <translation>
            <numerusform>%n 个匹配</numerusform>
        </translation>
    </message>
    <message>
        <source>Compare (%1)</source>
        <translation>比较（%1）</translation>
    </message>
    <message>
        <source>Columns</source>
        <translation>列</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>Export Runs as CSV</source>
        <translation>将运行导出为 CSV</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>导出 CSV</translation>
    </message>
    <message numerus="yes">
        <source>Saved %n runs to %1</source>
        <translation>
            <numerusform>已将 %n 个运行保存到 %1</numerusform>
        </translation>
    </message>
    <message>
        <source>New Experiment…</source>
        <translation>新建实验…</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>New Experiment</source>
        <translation>新建实验</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Rename Experiment</source>
        <translation>重命名实验</translation>
    </message>
    <message>
        <source>New name:</source>
        <translation>新名称：</translation>
    </message>
    <message>
        <source>Delete Experiments</source>
        <translation>删除实验</translation>
    </message>
    <message numerus="yes">
        <source>Delete %n experiments? Their runs stay in the workspace; tick &quot;Show deleted experiments&quot; to restore them.</source>
        <translation>
            <numerusform>删除 %n 个实验？其运行仍保留在工作区中；勾选“显示已删除的实验”即可恢复。</numerusform>
        </translation>
    </message>
    <message>
        <source>Restore Experiments</source>
        <translation>恢复实验</translation>
    </message>
    <message>
        <source>Show Details</source>
        <translation>显示详情</translation>
    </message>
    <message numerus="yes">
        <source>Compare %n Runs</source>
        <translation>
            <numerusform>比较 %n 个运行</numerusform>
        </translation>
    </message>
    <message>
        <source>Set Tag…</source>
        <translation>设置标签…</translation>
    </message>
    <message>
        <source>Remove Tag…</source>
        <translation>移除标签…</translation>
    </message>
    <message>
        <source>Copy Run Id</source>
        <translation>复制运行编号</translation>
    </message>
    <message>
        <source>Export Table as CSV…</source>
        <translation>将表格导出为 CSV…</translation>
    </message>
    <message>
        <source>Rename Run</source>
        <translation>重命名运行</translation>
    </message>
    <message>
        <source>Set Tag</source>
        <translation>设置标签</translation>
    </message>
    <message numerus="yes">
        <source>Tag name (set on %n runs):</source>
        <translation>
            <numerusform>标签名（设置到 %n 个运行）：</numerusform>
        </translation>
    </message>
    <message>
        <source>Value of %1:</source>
        <translation>%1 的值：</translation>
    </message>
    <message>
        <source>Remove Tag</source>
        <translation>移除标签</translation>
    </message>
    <message>
        <source>The selected runs have no tags.</source>
        <translation>所选运行没有标签。</translation>
    </message>
    <message>
        <source>Tag to remove:</source>
        <translation>要移除的标签：</translation>
    </message>
    <message>
        <source>Delete Runs</source>
        <translation>删除运行</translation>
    </message>
    <message numerus="yes">
        <source>Delete %n runs? Deleted runs can be restored: choose &quot;Deleted runs&quot; above the table.</source>
        <translation>
            <numerusform>删除 %n 个运行？已删除的运行可以恢复：在表格上方选择“已删除的运行”。</numerusform>
        </translation>
    </message>
    <message>
        <source>Restore Runs</source>
        <translation>恢复运行</translation>
    </message>
    <message>
        <source>The query took %1 ms in the background</source>
        <translation>后台查询耗时 %1 毫秒</translation>
    </message>
    <message>
        <source>Register Model…</source>
        <translation>注册模型…</translation>
    </message>
    <message>
        <source>Deploy Model…</source>
        <translation>部署模型…</translation>
    </message>
</context>
<context>
    <name>cairn::panels::FeatureProcessingWidget</name>
    <message>
        <source>Feature processing</source>
        <translation>特征处理</translation>
    </message>
    <message>
        <source>How the table&apos;s columns become features; unchecked, the algorithm&apos;s own defaults apply</source>
        <translation>表格的列如何变成特征；不勾选时使用算法自身的默认设置</translation>
    </message>
    <message>
        <source>Checked columns are never features (IDs, names, columns that leak the answer)</source>
        <translation>勾选的列不作为特征（ID、姓名、泄露答案的列）</translation>
    </message>
    <message>
        <source>Leave out:</source>
        <translation>排除：</translation>
    </message>
    <message>
        <source>Algorithm default</source>
        <translation>算法默认</translation>
    </message>
    <message>
        <source>Automatic (by number of categories)</source>
        <translation>自动（按类别数）</translation>
    </message>
    <message>
        <source>One-hot indicators</source>
        <translation>独热指示变量</translation>
    </message>
    <message>
        <source>Category codes</source>
        <translation>类别编码</translation>
    </message>
    <message>
        <source>Target encoding (out of fold)</source>
        <translation>目标编码（折外）</translation>
    </message>
    <message>
        <source>Automatic: one-hot up to the limit below, target encoding above it</source>
        <translation>自动：不超过下方上限时用独热编码，超过时用目标编码</translation>
    </message>
    <message>
        <source>Categories:</source>
        <translation>类别：</translation>
    </message>
    <message>
        <source>Automatic encoding: columns with at most this many categories become one-hot indicators</source>
        <translation>自动编码：类别数不超过此值的列变为独热指示变量</translation>
    </message>
    <message>
        <source>Dates as year, month, day, weekday and hour</source>
        <translation>日期拆为年、月、日、星期和小时</translation>
    </message>
    <message>
        <source>Text as length, word count and frequent words</source>
        <translation>文本转为长度、词数和常见词</translation>
    </message>
    <message>
        <source>Fill missing numbers with the median and flag them</source>
        <translation>用中位数填补缺失数值并加标记</translation>
    </message>
    <message>
        <source>Standardise (mean 0, deviation 1)</source>
        <translation>标准化（均值 0，标准差 1）</translation>
    </message>
    <message>
        <source>Leave as they are</source>
        <translation>保持原样</translation>
    </message>
    <message>
        <source>Scale numbers:</source>
        <translation>数值缩放：</translation>
    </message>
    <message>
        <source>One-hot up to (categories):</source>
        <translation>独热编码上限（类别数）：</translation>
    </message>
</context>
<context>
    <name>cairn::panels::HistogramHeatmap</name>
    <message>
        <source>count (log)</source>
        <translation>计数（对数）</translation>
    </message>
    <message>
        <source>step</source>
        <translation>步</translation>
    </message>
    <message>
        <source>value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Pick a tensor with histograms</source>
        <translation>选择一个带直方图的张量</translation>
    </message>
</context>
<context>
    <name>cairn::panels::HostSettingsWidget</name>
    <message>
        <source>Folder on the host for jobs, cached data and kernels; ~/ is the remote home</source>
        <translation>主机上存放作业、缓存数据和内核的文件夹；~/ 表示远程主目录</translation>
    </message>
    <message>
        <source>Remote work folder:</source>
        <translation>远程工作文件夹：</translation>
    </message>
    <message>
        <source>The cairn program on the host (a name on its PATH or a full path)</source>
        <translation>主机上的 cairn 程序（PATH 中的名称或完整路径）</translation>
    </message>
    <message>
        <source>Worker command:</source>
        <translation>工作进程命令：</translation>
    </message>
    <message>
        <source>Jobs that may run on the host at once; more wait in the queue</source>
        <translation>主机上可同时运行的作业数；其余的排队等待</translation>
    </message>
    <message>
        <source>Jobs at once:</source>
        <translation>同时运行作业数：</translation>
    </message>
    <message>
        <source>e.g. aws ec2 start-instances --instance-ids i-0abc</source>
        <translation>例如 aws ec2 start-instances --instance-ids i-0abc</translation>
    </message>
    <message>
        <source>A shell line run on this computer to start the machine (optional)</source>
        <translation>在本计算机上运行以启动该机器的 shell 命令（可选）</translation>
    </message>
    <message>
        <source>Start command:</source>
        <translation>启动命令：</translation>
    </message>
    <message>
        <source>e.g. aws ec2 stop-instances --instance-ids i-0abc</source>
        <translation>例如 aws ec2 stop-instances --instance-ids i-0abc</translation>
    </message>
    <message>
        <source>A shell line run on this computer to stop the machine: by the Stop button and by idle shutdown</source>
        <translation>在本计算机上运行以停止该机器的 shell 命令：由“停止”按钮和空闲关机使用</translation>
    </message>
    <message>
        <source>Stop command:</source>
        <translation>停止命令：</translation>
    </message>
    <message>
        <source>What the machine costs per hour while it works; shared by the jobs running on it at once</source>
        <translation>机器工作时每小时的费用；由同时在其上运行的作业分摊</translation>
    </message>
    <message>
        <source>Price per hour:</source>
        <translation>每小时价格：</translation>
    </message>
    <message>
        <source>For machines you own: a price per GPU a job holds and hour, added to its cost</source>
        <translation>用于自有机器：作业每占用一块 GPU 每小时的价格，计入其费用</translation>
    </message>
    <message>
        <source>Price per GPU-hour:</source>
        <translation>每 GPU 小时价格：</translation>
    </message>
    <message>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从不</translation>
    </message>
    <message>
        <source>With no job, no busy kernel and no GPU in use for this long, the stop command runs</source>
        <translation>在这段时间内没有作业、没有忙碌的内核且没有 GPU 在用时，运行停止命令</translation>
    </message>
    <message>
        <source>Idle shutdown after:</source>
        <translation>空闲关机时间：</translation>
    </message>
    <message>
        <source>Idle shutdown needs a stop command and runs while Cairn Studio is open.</source>
        <translation>空闲关机需要设置停止命令，并在 Cairn Studio 打开期间生效。</translation>
    </message>
</context>
<context>
    <name>cairn::panels::ImportancePlot</name>
    <message>
        <source>permutation: drop of %1</source>
        <translation>置换：%1 的下降</translation>
    </message>
    <message>
        <source>drop of %1 when shuffled</source>
        <translation>打乱后 %1 的下降</translation>
    </message>
    <message>
        <source>mean |SHAP|</source>
        <translation>平均 |SHAP|</translation>
    </message>
    <message>
        <source>mean |SHAP| contribution</source>
        <translation>平均 |SHAP| 贡献</translation>
    </message>
</context>
<context>
    <name>cairn::panels::JobListModel</name>
    <message>
        <source>Queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>Stopping</source>
        <translation>正在停止</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分</translation>
    </message>
    <message>
        <source>Job %1
Run %2
Submitted %3</source>
        <translation>作业 %1
运行 %2
提交于 %3</translation>
    </message>
    <message>
        <source>(none yet)</source>
        <translation>（暂无）</translation>
    </message>
    <message>
        <source>Job</source>
        <translation>作业</translation>
    </message>
    <message>
        <source>Algorithm</source>
        <translation>算法</translation>
    </message>
    <message>
        <source>Experiment</source>
        <translation>实验</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>进度</translation>
    </message>
    <message>
        <source>Elapsed</source>
        <translation>已用时间</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
</context>
<context>
    <name>cairn::panels::JobMonitor</name>
    <message>
        <source>Metric:</source>
        <translation>指标：</translation>
    </message>
    <message>
        <source>step</source>
        <translation>步</translation>
    </message>
    <message>
        <source>Select a job to see its metrics</source>
        <translation>选择一个作业以查看其指标</translation>
    </message>
    <message>
        <source>Metrics</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>The job&apos;s log appears here.</source>
        <translation>作业日志显示在这里。</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>No metrics yet</source>
        <translation>暂无指标</translation>
    </message>
    <message>
        <source>&lt;i&gt;No job selected.&lt;/i&gt;</source>
        <translation>&lt;i&gt;未选择作业。&lt;/i&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Job %1&lt;/b&gt; · %2 · %3</source>
        <translation>&lt;b&gt;作业 %1&lt;/b&gt; · %2 · %3</translation>
    </message>
    <message>
        <source>[earlier lines not shown; the whole log is %1]</source>
        <translation>[较早的行未显示；完整日志位于 %1]</translation>
    </message>
    <message>
        <source>%1 = %2 (%3 %4)</source>
        <translation>%1 = %2（%3 %4）</translation>
    </message>
</context>
<context>
    <name>cairn::panels::LabelingPanel</name>
    <message>
        <source>Unlabeled</source>
        <translation>未标注</translation>
    </message>
    <message>
        <source>Labeled</source>
        <translation>已标注</translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation>已跳过</translation>
    </message>
    <message>
        <source>Needs review</source>
        <translation>待审核</translation>
    </message>
    <message>
        <source>Labeling jobs of this workspace</source>
        <translation>此工作区的标注作业</translation>
    </message>
    <message>
        <source>Job: </source>
        <translation>作业：</translation>
    </message>
    <message>
        <source>New…</source>
        <translation>新建…</translation>
    </message>
    <message>
        <source>Create a labeling job from a folder of images or an input manifest</source>
        <translation>从图像文件夹或输入清单创建标注作业</translation>
    </message>
    <message>
        <source>Ground Truth manifest…</source>
        <translation>Ground Truth 清单…</translation>
    </message>
    <message>
        <source>COCO JSON…</source>
        <translation>COCO JSON…</translation>
    </message>
    <message>
        <source>YOLO folder…</source>
        <translation>YOLO 文件夹…</translation>
    </message>
    <message>
        <source>Pascal VOC folder…</source>
        <translation>Pascal VOC 文件夹…</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Next ▶</source>
        <translation>下一张 ▶</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>接受</translation>
    </message>
    <message>
        <source>Confirm this image&apos;s label (review: accept the machine label) and go on</source>
        <translation>确认此图像的标签（审核时：接受机器标签）并继续</translation>
    </message>
    <message>
        <source>Skip</source>
        <translation>跳过</translation>
    </message>
    <message>
        <source>Mark as skipped and go on</source>
        <translation>标记为已跳过并继续</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <source>Remove this image&apos;s label</source>
        <translation>移除此图像的标签</translation>
    </message>
    <message>
        <source>Delete box</source>
        <translation>删除框</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>适应</translation>
    </message>
    <message>
        <source>Fit the image to the view</source>
        <translation>使图像适应视图</translation>
    </message>
    <message>
        <source>Crosshair</source>
        <translation>十字准线</translation>
    </message>
    <message>
        <source>Go through machine labels, least confident first: Enter accepts, a class key fixes</source>
        <translation>逐一检查机器标签，置信度最低的优先：回车接受，按类别键修正</translation>
    </message>
    <message>
        <source>All images</source>
        <translation>全部图像</translation>
    </message>
    <message>
        <source>%v of %m done (%p%)</source>
        <translation>已完成 %v / %m（%p%）</translation>
    </message>
    <message>
        <source>Classes (press the key)</source>
        <translation>类别（按对应按键）</translation>
    </message>
    <message>
        <source>(no workspace)</source>
        <translation>（无工作区）</translation>
    </message>
    <message>
        <source>Open a workspace to label images.</source>
        <translation>请打开一个工作区以标注图像。</translation>
    </message>
    <message>
        <source>(no jobs yet)</source>
        <translation>（暂无作业）</translation>
    </message>
    <message>
        <source>No labeling jobs yet: create one with New… (or cairn label create).</source>
        <translation>还没有标注作业：用“新建…”创建一个（或使用 cairn label create）。</translation>
    </message>
    <message>
        <source>Choose a labeling job.</source>
        <translation>请选择一个标注作业。</translation>
    </message>
    <message>
        <source>No machine labels wait for review.</source>
        <translation>没有等待审核的机器标签。</translation>
    </message>
    <message>
        <source>No images with this status.</source>
        <translation>没有处于此状态的图像。</translation>
    </message>
    <message>
        <source>That was the last image of the list.</source>
        <translation>这是列表中的最后一张图像。</translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>正在加载 %1…</translation>
    </message>
    <message>
        <source>Cannot read %1</source>
        <translation>无法读取 %1</translation>
    </message>
    <message>
        <source>No image</source>
        <translation>无图像</translation>
    </message>
    <message>
        <source>%1 of %2 · %3 · %4</source>
        <translation>%1 / %2 · %3 · %4</translation>
    </message>
    <message>
        <source>%1 (%2%)</source>
        <translation>%1（%2%）</translation>
    </message>
    <message numerus="yes">
        <source>%n box(es)</source>
        <translation>
            <numerusform>%n 个框</numerusform>
        </translation>
    </message>
    <message>
        <source>Press %1: boxes drawn next are %2; with a box selected, it becomes %2</source>
        <translation>按 %1：接下来绘制的框为 %2；若已选中框，则将其改为 %2</translation>
    </message>
    <message>
        <source>Press %1 for %2</source>
        <translation>按 %1 选择 %2</translation>
    </message>
    <message>
        <source>Labeled %1 · Skipped %2
Needs review %3 · Unlabeled %4</source>
        <translation>已标注 %1 · 已跳过 %2
待审核 %3 · 未标注 %4</translation>
    </message>
    <message numerus="yes">
        <source>%n machine label(s)</source>
        <translation>
            <numerusform>%n 个机器标签</numerusform>
        </translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>未保存：%1</translation>
    </message>
    <message>
        <source>Label %1</source>
        <translation>标注为 %1</translation>
    </message>
    <message>
        <source>Remove %1</source>
        <translation>移除 %1</translation>
    </message>
    <message>
        <source>Add %1</source>
        <translation>添加 %1</translation>
    </message>
    <message>
        <source>Make box %1</source>
        <translation>将框设为 %1</translation>
    </message>
    <message>
        <source>Draw box</source>
        <translation>绘制框</translation>
    </message>
    <message>
        <source>Move box</source>
        <translation>移动框</translation>
    </message>
    <message>
        <source>Press a class key first.</source>
        <translation>请先按类别键。</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>Clear label</source>
        <translation>清除标签</translation>
    </message>
    <message>
        <source>Creating labeling job %1…</source>
        <translation>正在创建标注作业 %1…</translation>
    </message>
    <message>
        <source>Cannot create the job: %1</source>
        <translation>无法创建作业：%1</translation>
    </message>
    <message>
        <source>Created labeling job %1</source>
        <translation>已创建标注作业 %1</translation>
    </message>
    <message>
        <source>%1 holds no images</source>
        <translation>%1 中没有图像</translation>
    </message>
    <message>
        <source>Import Labels</source>
        <translation>导入标签</translation>
    </message>
    <message>
        <source>COCO JSON (*.json);;All files (*)</source>
        <translation>COCO JSON (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Manifests (*.manifest *.jsonl);;All files (*)</source>
        <translation>清单 (*.manifest *.jsonl);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Imported %1 labels (kept %2 human labels, %3 entries matched no image)</source>
        <translation>已导入 %1 个标签（保留了 %2 个人工标签，%3 个条目未匹配到图像）</translation>
    </message>
    <message>
        <source>Nothing imported: %1</source>
        <translation>未导入任何内容：%1</translation>
    </message>
    <message>
        <source>Export Labels Into</source>
        <translation>将标签导出到</translation>
    </message>
    <message>
        <source>Export Labels</source>
        <translation>导出标签</translation>
    </message>
    <message>
        <source>Exported %1 labeled images to %2</source>
        <translation>已将 %1 张已标注图像导出到 %2</translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation>导出失败：%1</translation>
    </message>
    <message>
        <source>Labeling</source>
        <translation>标注</translation>
    </message>
    <message>
        <source>◀ Prev</source>
        <translation>◀ 上一张</translation>
    </message>
    <message>
        <source>Undo %1 (Ctrl+Z)</source>
        <translation>撤销 %1（Ctrl+Z）</translation>
    </message>
    <message>
        <source>Redo %1 (Ctrl+Shift+Z)</source>
        <translation>重做 %1（Ctrl+Shift+Z）</translation>
    </message>
    <message>
        <source>+</source>
        <translation>+</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <source>−</source>
        <translation>−</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>审核</translation>
    </message>
    <message>
        <source>Auto-label…</source>
        <translation>自动标注…</translation>
    </message>
    <message>
        <source>Train a classifier on the human labels and pre-label the rest (a training job)</source>
        <translation>用人工标签训练分类器，并预标注其余图像（一个训练作业）</translation>
    </message>
    <message>
        <source>Train on these labels</source>
        <translation>用这些标签训练</translation>
    </message>
    <message>
        <source>Open a training job on this job&apos;s labeled images in the Training panel</source>
        <translation>在“训练”面板中用此作业已标注的图像创建训练作业</translation>
    </message>
    <message>
        <source>Review mode: machine labels, least confident first. Enter accepts, a class key replaces, S skips.</source>
        <translation>审核模式：机器标签按置信度从低到高排列。回车接受，类别键替换，S 跳过。</translation>
    </message>
    <message>
        <source>machine label</source>
        <translation>机器标签</translation>
    </message>
    <message>
        <source>machine label, lowest confidence %1%</source>
        <translation>机器标签，最低置信度 %1%</translation>
    </message>
    <message>
        <source>Training job prepared in the Training panel: %1 labeled images from %2</source>
        <translation>已在“训练”面板中准备好训练作业：来自 %2 的 %1 张已标注图像</translation>
    </message>
    <message>
        <source>Auto-label %1</source>
        <translation>自动标注 %1</translation>
    </message>
    <message>
        <source>Machine labels at or above this confidence are accepted; the others wait for review, least confident first.</source>
        <translation>置信度不低于此值的机器标签会被接受；其余的等待审核，置信度最低的优先。</translation>
    </message>
    <message numerus="yes">
        <source>A CNN is trained on the %n human label(s) as a training job, then labels the other images.</source>
        <translation>
            <numerusform>将以训练作业的方式用 %n 个人工标签训练一个 CNN，然后由它标注其余图像。</numerusform>
        </translation>
    </message>
    <message>
        <source>Accept at confidence ≥</source>
        <translation>接受置信度 ≥</translation>
    </message>
    <message>
        <source>Human labels needed</source>
        <translation>所需人工标签数</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>轮数</translation>
    </message>
    <message>
        <source>Auto-labeling: %1</source>
        <translation>自动标注：%1</translation>
    </message>
    <message>
        <source>Auto-labeling failed: %1</source>
        <translation>自动标注失败：%1</translation>
    </message>
    <message>
        <source>Auto-labeling %1: training a classifier on the human labels…</source>
        <translation>正在自动标注 %1：正在用人工标签训练分类器…</translation>
    </message>
</context>
<context>
    <name>cairn::panels::LeaderboardModel</name>
    <message>
        <source>Queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>ensemble</source>
        <translation>集成</translation>
    </message>
    <message>
        <source>ensemble of %1</source>
        <translation>%1 的集成</translation>
    </message>
    <message>
        <source>Not used</source>
        <translation>未采用</translation>
    </message>
    <message>
        <source>stack</source>
        <translation>堆叠</translation>
    </message>
    <message>
        <source>stack of %1</source>
        <translation>%1 的堆叠</translation>
    </message>
    <message>
        <source>Objective</source>
        <translation>目标值</translation>
    </message>
    <message>
        <source>Rank</source>
        <translation>排名</translation>
    </message>
    <message>
        <source>Algorithm</source>
        <translation>算法</translation>
    </message>
    <message>
        <source>Train time (s)</source>
        <translation>训练时间（秒）</translation>
    </message>
    <message>
        <source>Predict (µs/row)</source>
        <translation>预测（微秒/行）</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>主机</translation>
    </message>
    <message>
        <source>Built on this machine from its members&apos; predictions</source>
        <translation>在本机由其成员的预测构建</translation>
    </message>
    <message>
        <source>The host its training jobs ran on</source>
        <translation>运行其训练作业的主机</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Candidate %1</source>
        <translation>候选 %1</translation>
    </message>
    <message>
        <source>Candidate</source>
        <translation>候选模型</translation>
    </message>
    <message>
        <source>Its run is a child of the AutoML run; an ensemble names its members this way</source>
        <translation>它的运行是 AutoML 运行的子运行；集成模型用这个名称列出其成员</translation>
    </message>
</context>
<context>
    <name>cairn::panels::NewJobDialog</name>
    <message>
        <source>Image folder</source>
        <translation>图像文件夹</translation>
    </message>
    <message>
        <source>Input manifest</source>
        <translation>输入清单</translation>
    </message>
    <message>
        <source>New Labeling Job</source>
        <translation>新建标注作业</translation>
    </message>
    <message>
        <source>e.g. garments-2026</source>
        <translation>例如 garments-2026</translation>
    </message>
    <message>
        <source>Folder of images (searched recursively)</source>
        <translation>图像文件夹（递归搜索）</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Image classification (single label)</source>
        <translation>图像分类（单标签）</translation>
    </message>
    <message>
        <source>Multi-label classification</source>
        <translation>多标签分类</translation>
    </message>
    <message>
        <source>Bounding boxes</source>
        <translation>边界框</translation>
    </message>
    <message>
        <source>Comma-separated, e.g. cat, dog, bird (keys 1, 2, 3…)</source>
        <translation>用逗号分隔，例如 cat, dog, bird（按键 1、2、3…）</translation>
    </message>
    <message>
        <source>What labelers should look for, and edge cases.</source>
        <translation>标注人员应关注的内容及特殊情况。</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>名称(&amp;N)：</translation>
    </message>
    <message>
        <source>Images from:</source>
        <translation>图像来源：</translation>
    </message>
    <message>
        <source>&amp;Task:</source>
        <translation>任务(&amp;T)：</translation>
    </message>
    <message>
        <source>&amp;Labels:</source>
        <translation>标签(&amp;L)：</translation>
    </message>
    <message>
        <source>&amp;Instructions:</source>
        <translation>说明(&amp;I)：</translation>
    </message>
    <message>
        <source>JSON Lines file with &quot;source-ref&quot; per line</source>
        <translation>每行包含 &quot;source-ref&quot; 的 JSON Lines 文件</translation>
    </message>
    <message>
        <source>Input Manifest</source>
        <translation>输入清单</translation>
    </message>
    <message>
        <source>Manifests (*.manifest *.jsonl *.json);;All files (*)</source>
        <translation>清单 (*.manifest *.jsonl *.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Image Folder</source>
        <translation>图像文件夹</translation>
    </message>
    <message>
        <source>Give the job a name.</source>
        <translation>请为作业命名。</translation>
    </message>
    <message>
        <source>Use letters, digits and hyphens for the name (up to 63).</source>
        <translation>名称只能使用字母、数字和连字符（最多 63 个）。</translation>
    </message>
    <message>
        <source>A job named %1 exists already.</source>
        <translation>名为 %1 的作业已存在。</translation>
    </message>
    <message>
        <source>Choose an input manifest.</source>
        <translation>请选择输入清单。</translation>
    </message>
    <message>
        <source>Choose a folder of images.</source>
        <translation>请选择图像文件夹。</translation>
    </message>
    <message>
        <source>The manifest does not exist.</source>
        <translation>清单不存在。</translation>
    </message>
    <message>
        <source>The folder does not exist.</source>
        <translation>文件夹不存在。</translation>
    </message>
    <message>
        <source>List at least one label.</source>
        <translation>请至少列出一个标签。</translation>
    </message>
</context>
<context>
    <name>cairn::panels::NotebookBrowser</name>
    <message>
        <source>New notebook</source>
        <translation>新建笔记本</translation>
    </message>
    <message>
        <source>Open a folder…</source>
        <translation>打开文件夹…</translation>
    </message>
    <message>
        <source>Up one folder</source>
        <translation>上一级文件夹</translation>
    </message>
    <message>
        <source>The workspace&apos;s notebooks</source>
        <translation>工作区的笔记本</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Recent</source>
        <translation>最近</translation>
    </message>
    <message>
        <source>AutoML</source>
        <translation>AutoML</translation>
    </message>
    <message>
        <source>The data exploration and candidate notebooks that each AutoML run generated</source>
        <translation>每个 AutoML 运行生成的数据探索和候选模型笔记本</translation>
    </message>
    <message>
        <source>Open a folder of notebooks</source>
        <translation>打开笔记本文件夹</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>创建副本</translation>
    </message>
    <message>
        <source>Cannot duplicate the notebook</source>
        <translation>无法创建笔记本副本</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <source>Copy Path</source>
        <translation>复制路径</translation>
    </message>
    <message>
        <source>Open Folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <source>New Notebook</source>
        <translation>新建笔记本</translation>
    </message>
    <message>
        <source>Show in File Manager</source>
        <translation>在文件管理器中显示</translation>
    </message>
    <message>
        <source>Rename Notebook</source>
        <translation>重命名笔记本</translation>
    </message>
    <message>
        <source>New name:</source>
        <translation>新名称：</translation>
    </message>
    <message>
        <source>Cannot rename the notebook</source>
        <translation>无法重命名笔记本</translation>
    </message>
    <message>
        <source>Delete Notebook</source>
        <translation>删除笔记本</translation>
    </message>
    <message>
        <source>Delete %1? It goes to the desktop&apos;s trash where there is one.</source>
        <translation>删除 %1？如果桌面有回收站，它会移到回收站。</translation>
    </message>
    <message>
        <source>Cannot delete the notebook</source>
        <translation>无法删除笔记本</translation>
    </message>
    <message>
        <source>A name cannot hold a folder separator: %1</source>
        <translation>名称中不能包含文件夹分隔符：%1</translation>
    </message>
    <message>
        <source>%1 already exists.</source>
        <translation>%1 已存在。</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>No AutoML run in this workspace yet</source>
        <translation>此工作区还没有 AutoML 运行</translation>
    </message>
</context>
<context>
    <name>cairn::panels::NotebookEditor</name>
    <message>
        <source>This notebook&apos;s kernel runs on host &apos;%1&apos;, which is not among your hosts: add it in the Resources panel or pick another kernel.</source>
        <translation>此笔记本的内核运行在主机“%1”上，但它不在您的主机列表中：请在“资源”面板中添加该主机，或选择其他内核。</translation>
    </message>
    <message>
        <source>The connection to %1 was lost: reconnecting to the same kernel…</source>
        <translation>与 %1 的连接已断开：正在重新连接到同一个内核…</translation>
    </message>
    <message>
        <source>Reconnected to the kernel on %1; its variables are kept. Output sent while the connection was down is lost.</source>
        <translation>已重新连接到 %1 上的内核，变量均已保留。连接中断期间发送的输出已丢失。</translation>
    </message>
    <message>
        <source>Cannot start the kernel on %1: %2</source>
        <translation>无法在 %1 上启动内核：%2</translation>
    </message>
    <message>
        <source>python3 on %1</source>
        <translation>%1 上的 python3</translation>
    </message>
    <message>
        <source>Restart Kernel</source>
        <translation>重启内核</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Untitled.ipynb</source>
        <translation>未命名.ipynb</translation>
    </message>
    <message>
        <source>This notebook was nbformat %1 and has been converted to nbformat 4; saving writes nbformat 4.</source>
        <translation>此笔记本原为 nbformat %1，已转换为 nbformat 4；保存时将写入 nbformat 4。</translation>
    </message>
    <message>
        <source>The kernel &quot;%1&quot; of this notebook is not installed; %2 will be used. Pick another in the toolbar.</source>
        <translation>此笔记本的内核“%1”未安装，将使用 %2。可在工具栏中选择其他内核。</translation>
    </message>
    <message>
        <source>No Jupyter kernel is installed. Install one (for Python: the python3-ipykernel package) to run cells.</source>
        <translation>未安装 Jupyter 内核。请安装一个（Python 可安装 python3-ipykernel 软件包）以运行单元格。</translation>
    </message>
    <message>
        <source>The notebook has no file yet: use Save As.</source>
        <translation>此笔记本尚无文件：请使用“另存为”。</translation>
    </message>
    <message>
        <source>Autosaved %1</source>
        <translation>已自动保存 %1</translation>
    </message>
    <message>
        <source>No kernel to run this notebook: install a Jupyter kernel (python3-ipykernel).</source>
        <translation>没有可运行此笔记本的内核：请安装 Jupyter 内核（python3-ipykernel）。</translation>
    </message>
    <message>
        <source>%1 You can restart the kernel; variables are lost.</source>
        <translation>%1 可以重启内核；变量将会丢失。</translation>
    </message>
    <message>
        <source>No kernel</source>
        <translation>无内核</translation>
    </message>
    <message>
        <source>%1 · not started</source>
        <translation>%1 · 未启动</translation>
    </message>
    <message>
        <source>%1 · starting</source>
        <translation>%1 · 正在启动</translation>
    </message>
    <message>
        <source>%1 · busy</source>
        <translation>%1 · 忙碌</translation>
    </message>
    <message>
        <source>%1 · idle</source>
        <translation>%1 · 空闲</translation>
    </message>
    <message>
        <source>%1 · restarting</source>
        <translation>%1 · 正在重启</translation>
    </message>
    <message>
        <source>%1 · dead</source>
        <translation>%1 · 已停止响应</translation>
    </message>
    <message>
        <source>Completion needs a running kernel: it is starting.</source>
        <translation>补全需要运行中的内核：内核正在启动。</translation>
    </message>
    <message>
        <source>The kernel skipped the cell because the one before it failed.</source>
        <translation>由于前一个单元格失败，内核跳过了此单元格。</translation>
    </message>
</context>
<context>
    <name>cairn::panels::NotebookPanel</name>
    <message>
        <source>python3 on %1</source>
        <translation>%1 上的 python3</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>New notebook in the workspace</source>
        <translation>在工作区中新建笔记本</translation>
    </message>
    <message>
        <source>Open…</source>
        <translation>打开…</translation>
    </message>
    <message>
        <source>Open an .ipynb file</source>
        <translation>打开 .ipynb 文件</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Save (Ctrl+S)</source>
        <translation>保存（Ctrl+S）</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Run the cell and select the next (Shift+Enter)</source>
        <translation>运行单元格并选中下一个（Shift+Enter）</translation>
    </message>
    <message>
        <source>Run All</source>
        <translation>全部运行</translation>
    </message>
    <message>
        <source>Run every cell</source>
        <translation>运行所有单元格</translation>
    </message>
    <message>
        <source>Above</source>
        <translation>上方</translation>
    </message>
    <message>
        <source>Run the cells above the selected one</source>
        <translation>运行所选单元格上方的单元格</translation>
    </message>
    <message>
        <source>Below</source>
        <translation>下方</translation>
    </message>
    <message>
        <source>Run the selected cell and all below</source>
        <translation>运行所选单元格及其下方的全部单元格</translation>
    </message>
    <message>
        <source>Interrupt</source>
        <translation>中断</translation>
    </message>
    <message>
        <source>Interrupt the kernel (I, I)</source>
        <translation>中断内核（I, I）</translation>
    </message>
    <message>
        <source>Restart</source>
        <translation>重启</translation>
    </message>
    <message>
        <source>Restart the kernel (0, 0)</source>
        <translation>重启内核（0, 0）</translation>
    </message>
    <message>
        <source>Restart &amp;&amp; Run All</source>
        <translation>重启并全部运行</translation>
    </message>
    <message>
        <source>Restart the kernel and run every cell</source>
        <translation>重启内核并运行所有单元格</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <source>Clear all outputs</source>
        <translation>清除所有输出</translation>
    </message>
    <message>
        <source>Kernel:</source>
        <translation>内核：</translation>
    </message>
    <message>
        <source>The kernel this notebook runs on (saved in the notebook)</source>
        <translation>此笔记本使用的内核（保存在笔记本中）</translation>
    </message>
    <message>
        <source>&lt;h2&gt;Notebooks&lt;/h2&gt;&lt;p&gt;Jupyter notebooks on local kernels. Runs you log with &lt;code&gt;import cairn&lt;/code&gt; appear in Experiments with the notebook as their source.&lt;/p&gt;</source>
        <translation>&lt;h2&gt;笔记本&lt;/h2&gt;&lt;p&gt;在本地内核上运行的 Jupyter 笔记本。通过 &lt;code&gt;import cairn&lt;/code&gt; 记录的运行会出现在“实验”中，并以该笔记本作为来源。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>New Notebook</source>
        <translation>新建笔记本</translation>
    </message>
    <message>
        <source>Open Notebook…</source>
        <translation>打开笔记本…</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Sample notebooks&lt;/h3&gt;</source>
        <translation>&lt;h3&gt;示例笔记本&lt;/h3&gt;</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>Opening %1…</source>
        <translation>正在打开 %1…</translation>
    </message>
    <message>
        <source>Cannot open the notebook</source>
        <translation>无法打开笔记本</translation>
    </message>
    <message>
        <source>Not saved yet</source>
        <translation>尚未保存</translation>
    </message>
    <message>
        <source>Save changes?</source>
        <translation>保存更改？</translation>
    </message>
    <message>
        <source>%1 has changes that are not saved.</source>
        <translation>%1 有未保存的更改。</translation>
    </message>
    <message>
        <source>Save Notebook</source>
        <translation>保存笔记本</translation>
    </message>
    <message>
        <source>Notebooks (*.ipynb)</source>
        <translation>笔记本 (*.ipynb)</translation>
    </message>
    <message>
        <source>Open Notebook</source>
        <translation>打开笔记本</translation>
    </message>
    <message>
        <source>Cannot save the notebook</source>
        <translation>无法保存笔记本</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <source>Notebooks</source>
        <translation>笔记本</translation>
    </message>
    <message>
        <source>Discard drops the changes made since the last save or autosave.</source>
        <translation>“放弃”会丢弃上次保存或自动保存之后的更改。</translation>
    </message>
</context>
<context>
    <name>cairn::panels::OffsetHistogramPlot</name>
    <message>
        <source>value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>step</source>
        <translation>步</translation>
    </message>
    <message>
        <source>Pick a tensor with histograms</source>
        <translation>选择一个带直方图的张量</translation>
    </message>
    <message>
        <source>dashed: %1 at step %2</source>
        <translation>虚线：%1 在第 %2 步</translation>
    </message>
</context>
<context>
    <name>cairn::panels::OutputView</name>
    <message numerus="yes">
        <source>… %n earlier line(s) not shown</source>
        <translation>
            <numerusform>… 较早的 %n 行未显示</numerusform>
        </translation>
    </message>
    <message>
        <source>Output truncated: %1 of its %2 characters are shown.</source>
        <translation>输出已截断：仅显示其 %2 个字符中的 %1 个。</translation>
    </message>
    <message>
        <source>The %1 output (%2 characters) is too large to show; its text is shown instead.</source>
        <translation>%1 输出（%2 个字符）过大，无法显示；改为显示其文本。</translation>
    </message>
    <message>
        <source>[an image that cannot be decoded]</source>
        <translation>[无法解码的图像]</translation>
    </message>
    <message>
        <source>[an SVG image that cannot be drawn]</source>
        <translation>[无法绘制的 SVG 图像]</translation>
    </message>
    <message>
        <source>[%1 output: not shown here]</source>
        <translation>[%1 输出：此处不显示]</translation>
    </message>
    <message>
        <source>empty</source>
        <translation>空</translation>
    </message>
    <message>
        <source>Input:</source>
        <translation>输入：</translation>
    </message>
</context>
<context>
    <name>cairn::panels::ProbeView</name>
    <message>
        <source>not needed (the login is root)</source>
        <translation>不需要（以 root 登录）</translation>
    </message>
    <message>
        <source>Property</source>
        <translation>属性</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>%1 GiB</source>
        <translation>%1 GiB</translation>
    </message>
    <message>
        <source>%1 MiB</source>
        <translation>%1 MiB</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>not tested yet</source>
        <translation>尚未测试</translation>
    </message>
    <message>
        <source>Answered in</source>
        <translation>应答时间</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <source>Operating system</source>
        <translation>操作系统</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>%1 cores, %2</source>
        <translation>%1 核，%2</translation>
    </message>
    <message>
        <source>model unknown</source>
        <translation>型号未知</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>%1 free of %2</source>
        <translation>可用 %1，共 %2</translation>
    </message>
    <message>
        <source>Load (1 min)</source>
        <translation>负载（1 分钟）</translation>
    </message>
    <message>
        <source>Work folder</source>
        <translation>工作文件夹</translation>
    </message>
    <message>
        <source>%1 (%2 free)</source>
        <translation>%1（可用 %2）</translation>
    </message>
    <message>
        <source>GPUs</source>
        <translation>GPU</translation>
    </message>
    <message>
        <source>none (jobs run on the CPUs)</source>
        <translation>无（作业在 CPU 上运行）</translation>
    </message>
    <message>
        <source>none usable: %1</source>
        <translation>无可用 GPU：%1</translation>
    </message>
    <message>
        <source>GPU %1</source>
        <translation>GPU %1</translation>
    </message>
    <message>
        <source>%1, %2 of %3 MiB used, %4% busy, %5 °C</source>
        <translation>%1，已用 %2 / %3 MiB，利用率 %4%，%5 °C</translation>
    </message>
    <message>
        <source>Python</source>
        <translation>Python</translation>
    </message>
    <message>
        <source>python3 not found: notebook kernels cannot run here</source>
        <translation>未找到 python3：笔记本内核无法在此运行</translation>
    </message>
    <message>
        <source>%1 %2, ipykernel %3</source>
        <translation>%1 %2，ipykernel %3</translation>
    </message>
    <message>
        <source>installed</source>
        <translation>已安装</translation>
    </message>
    <message>
        <source>missing (apt install python3-ipykernel)</source>
        <translation>缺失（apt install python3-ipykernel）</translation>
    </message>
    <message>
        <source>Cairn worker</source>
        <translation>Cairn 工作进程</translation>
    </message>
    <message>
        <source>version %1, protocol %2%3</source>
        <translation>版本 %1，协议 %2%3</translation>
    </message>
    <message>
        <source>sudo</source>
        <translation>sudo</translation>
    </message>
    <message>
        <source>available without a password</source>
        <translation>无需密码即可使用</translation>
    </message>
    <message>
        <source>not available without a password</source>
        <translation>无密码时不可用</translation>
    </message>
    <message>
        <source>Connected to %1 in %2 ms: jobs can run there</source>
        <translation>已在 %2 毫秒内连接到 %1：可以在那里运行作业</translation>
    </message>
    <message>
        <source>Connected to %1, but it has no usable Cairn worker</source>
        <translation>已连接到 %1，但没有可用的 Cairn 工作进程</translation>
    </message>
    <message>
        <source>The name of %1 could not be found</source>
        <translation>找不到 %1 的主机名</translation>
    </message>
    <message>
        <source>Check the spelling of the host name, or whether it needs a VPN or an entry in /etc/hosts.</source>
        <translation>请检查主机名拼写，或是否需要 VPN 或 /etc/hosts 中的条目。</translation>
    </message>
    <message>
        <source>%1 refused the connection</source>
        <translation>%1 拒绝了连接</translation>
    </message>
    <message>
        <source>The machine is up but nothing listens on that port: is the SSH server running, and is the port right?</source>
        <translation>机器已开机，但该端口上没有服务在监听：SSH 服务器是否在运行？端口是否正确？</translation>
    </message>
    <message>
        <source>%1 did not answer</source>
        <translation>%1 没有应答</translation>
    </message>
    <message>
        <source>The machine is off or asleep, or a firewall drops the connection. If it is a cloud machine, start it first.</source>
        <translation>机器已关机或休眠，或防火墙丢弃了连接。如果是云主机，请先启动它。</translation>
    </message>
    <message>
        <source>There is no network route to %1</source>
        <translation>没有到 %1 的网络路由</translation>
    </message>
    <message>
        <source>Check your network or VPN connection.</source>
        <translation>请检查网络或 VPN 连接。</translation>
    </message>
    <message>
        <source>%1 did not accept your login</source>
        <translation>%1 拒绝了您的登录</translation>
    </message>
    <message>
        <source>Check the user name and the identity file, load the key into your agent (ssh-add), or put your public key into ~/.ssh/authorized_keys on the host (ssh-copy-id). Passwords are not asked for.</source>
        <translation>请检查用户名和身份文件，将密钥加载到代理中（ssh-add），或把公钥放入主机上的 ~/.ssh/authorized_keys（ssh-copy-id）。不会询问密码。</translation>
    </message>
    <message>
        <source>First connection to %1: confirm that its key is the machine&apos;s</source>
        <translation>首次连接 %1：请确认该密钥属于这台机器</translation>
    </message>
    <message>
        <source>Compare the fingerprint below with the one the machine shows (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on it, or ask its administrator). Accept it only if they are the same.</source>
        <translation>请将下面的指纹与机器上显示的指纹比对（在机器上运行 ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub，或询问其管理员）。仅在两者一致时接受。</translation>
    </message>
    <message>
        <source>The key of %1 has changed: the connection was refused</source>
        <translation>%1 的密钥已改变：连接被拒绝</translation>
    </message>
    <message>
        <source>Someone may be intercepting the connection. If the machine was reinstalled, remove its old key (ssh-keygen -R with its name) and test again.</source>
        <translation>可能有人在拦截连接。如果机器已重装，请删除其旧密钥（ssh-keygen -R 加主机名）后重新测试。</translation>
    </message>
    <message>
        <source>Could not connect to %1</source>
        <translation>无法连接到 %1</translation>
    </message>
</context>
<context>
    <name>cairn::panels::ResourcesPanel</name>
    <message>
        <source>Add a machine from your SSH config or by hand, or a Slurm cluster</source>
        <translation>从 SSH 配置中添加机器、手动添加机器，或添加 Slurm 集群</translation>
    </message>
    <message>
        <source>%1 running</source>
        <translation>%1 个运行中</translation>
    </message>
    <message>
        <source>%1 pending</source>
        <translation>%1 个排队中</translation>
    </message>
    <message>
        <source>%1 pending (%2)</source>
        <translation>%1 个排队中（%2）</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Slurm job %1 (%2): pending, waiting for %3</source>
        <translation>Slurm 作业 %1（%2）：排队中，等待 %3</translation>
    </message>
    <message>
        <source>its turn</source>
        <translation>轮到它</translation>
    </message>
    <message>
        <source>Slurm job %1 (%2): %3 on %4</source>
        <translation>Slurm 作业 %1（%2）：在 %4 上 %3</translation>
    </message>
    <message>
        <source>Slurm job %1 (%2): running on %3</source>
        <translation>Slurm 作业 %1（%2）：在 %3 上运行</translation>
    </message>
    <message>
        <source>No job of Cairn in Slurm&apos;s queue</source>
        <translation>Slurm 队列中没有 Cairn 的作业</translation>
    </message>
    <message>
        <source>Cairn&apos;s jobs in Slurm&apos;s queue: %1</source>
        <translation>Slurm 队列中 Cairn 的作业：%1</translation>
    </message>
    <message>
        <source>Cluster</source>
        <translation>集群</translation>
    </message>
    <message>
        <source>Install worker…</source>
        <translation>安装工作进程…</translation>
    </message>
    <message>
        <source>Copy Cairn&apos;s own package (cairn-studio_…deb, made with cpack -G DEB) to the host and install it with apt-get</source>
        <translation>将 Cairn 自己的软件包（cairn-studio_…deb，由 cpack -G DEB 生成）复制到该主机并用 apt-get 安装</translation>
    </message>
    <message>
        <source>The host is not Debian or Ubuntu: build Cairn from source there</source>
        <translation>该主机不是 Debian 或 Ubuntu：请在其上从源代码构建 Cairn</translation>
    </message>
    <message>
        <source>Your user cannot sudo there without a password: ask its administrator to install the package</source>
        <translation>您的用户在该主机上无法免密码使用 sudo：请让其管理员安装该软件包</translation>
    </message>
    <message>
        <source>Cairn Studio package for %1</source>
        <translation>用于 %1 的 Cairn Studio 软件包</translation>
    </message>
    <message>
        <source>Debian packages (*.deb)</source>
        <translation>Debian 软件包 (*.deb)</translation>
    </message>
    <message>
        <source>Install worker</source>
        <translation>安装工作进程</translation>
    </message>
    <message>
        <source>Install %1 %2 on %3?</source>
        <translation>在 %3 上安装 %1 %2？</translation>
    </message>
    <message>
        <source>The package is copied to %1 and this command runs there:

%2</source>
        <translation>软件包将复制到 %1，并在那里运行以下命令：

%2</translation>
    </message>
    <message>
        <source>The worker on %1 is ready: Cairn %2, protocol %3.</source>
        <translation>%1 上的工作进程已就绪：Cairn %2，协议 %3。</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分钟</translation>
    </message>
    <message>
        <source>Starting %1…</source>
        <translation>正在启动 %1…</translation>
    </message>
    <message>
        <source>Stopping %1: %2</source>
        <translation>正在停止 %1：%2</translation>
    </message>
    <message>
        <source>Start host</source>
        <translation>启动主机</translation>
    </message>
    <message>
        <source>Stop host</source>
        <translation>停止主机</translation>
    </message>
    <message>
        <source>The %1 command of %2 failed: %3</source>
        <translation>%2 的%1命令失败：%3</translation>
    </message>
    <message>
        <source>start</source>
        <translation>启动</translation>
    </message>
    <message>
        <source>stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>no output</source>
        <translation>无输出</translation>
    </message>
    <message>
        <source>%1 started</source>
        <translation>%1 已启动</translation>
    </message>
    <message>
        <source>%1 stopped</source>
        <translation>%1 已停止</translation>
    </message>
    <message>
        <source>Add host…</source>
        <translation>添加主机…</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>设置…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>启动</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <source>Add a machine from your SSH config or by hand</source>
        <translation>从 SSH 配置中或手动添加一台机器</translation>
    </message>
    <message>
        <source>Run the host&apos;s start command</source>
        <translation>运行该主机的启动命令</translation>
    </message>
    <message>
        <source>Run the host&apos;s stop command</source>
        <translation>运行该主机的停止命令</translation>
    </message>
    <message>
        <source>Connect and look at the machine: OS, CPU, memory, disk, GPUs, Python and the Cairn worker</source>
        <translation>连接并查看机器：操作系统、CPU、内存、磁盘、GPU、Python 和 Cairn 工作进程</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>主机</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>GPU</source>
        <translation>GPU</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>Cost today</source>
        <translation>今日费用</translation>
    </message>
    <message>
        <source>% in use</source>
        <translation>使用率 %</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Running for</source>
        <translation>已运行</translation>
    </message>
    <message>
        <source>Cost so far</source>
        <translation>迄今费用</translation>
    </message>
    <message>
        <source>Jobs and kernels</source>
        <translation>作业和内核</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>运行数</translation>
    </message>
    <message>
        <source>Busy</source>
        <translation>忙碌时长</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>费用</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Cannot read the hosts: %1</source>
        <translation>无法读取主机列表：%1</translation>
    </message>
    <message>
        <source>busy</source>
        <translation>忙碌</translation>
    </message>
    <message>
        <source>idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>启动中</translation>
    </message>
    <message>
        <source>not checked</source>
        <translation>未检查</translation>
    </message>
    <message>
        <source>checking…</source>
        <translation>检查中…</translation>
    </message>
    <message>
        <source>starting…</source>
        <translation>启动中…</translation>
    </message>
    <message>
        <source>stopping…</source>
        <translation>停止中…</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>unreachable</source>
        <translation>无法连接</translation>
    </message>
    <message>
        <source>local (this machine)</source>
        <translation>local（本机）</translation>
    </message>
    <message>
        <source>this computer</source>
        <translation>本计算机</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>%1 × %2</source>
        <translation>%1 × %2</translation>
    </message>
    <message>
        <source>Load %1 · memory %2 free of %3</source>
        <translation>负载 %1 · 内存可用 %2，共 %3</translation>
    </message>
    <message>
        <source>Idle: stops in %1 unless work arrives</source>
        <translation>空闲：若无新任务，将在 %1 后停止</translation>
    </message>
    <message>
        <source>Idle shutdown after %1 min without work</source>
        <translation>无任务 %1 分钟后空闲关机</translation>
    </message>
    <message>
        <source>Cost today %1 · last 30 days %2 (at %3 per hour, %4 per GPU-hour)</source>
        <translation>今日费用 %1 · 近 30 天 %2（每小时 %3，每 GPU 小时 %4）</translation>
    </message>
    <message>
        <source>Kernel</source>
        <translation>内核</translation>
    </message>
    <message>
        <source>Job</source>
        <translation>作业</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>No job or kernel runs here</source>
        <translation>此处没有运行中的作业或内核</translation>
    </message>
    <message>
        <source>No runs on this host in the last 30 days</source>
        <translation>近 30 天此主机上没有运行</translation>
    </message>
    <message>
        <source>No price set: costs read 0 (set one in the host&apos;s settings)</source>
        <translation>未设置价格：费用为 0（可在主机设置中设置）</translation>
    </message>
    <message>
        <source>%1

Fingerprint: %2

Trust this machine and record its key?</source>
        <translation>%1

指纹：%2

信任这台机器并记录其密钥？</translation>
    </message>
    <message>
        <source>Settings of %1</source>
        <translation>%1 的设置</translation>
    </message>
    <message>
        <source>Host settings</source>
        <translation>主机设置</translation>
    </message>
    <message>
        <source>The settings could not be saved: %1</source>
        <translation>无法保存设置：%1</translation>
    </message>
    <message>
        <source>Remove host</source>
        <translation>移除主机</translation>
    </message>
    <message>
        <source>Forget the host %1? Nothing on the machine is touched.</source>
        <translation>忘记主机 %1？机器上的内容不会被改动。</translation>
    </message>
    <message>
        <source>Jobs or kernels still run on %1. Stop the machine anyway?</source>
        <translation>%1 上仍有作业或内核在运行。仍要停止这台机器吗？</translation>
    </message>
    <message>
        <source>Resources</source>
        <translation>资源</translation>
    </message>
</context>
<context>
    <name>cairn::panels::RunColumn</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>主机</translation>
    </message>
    <message>
        <source>Parameter %1</source>
        <translation>参数 %1</translation>
    </message>
    <message>
        <source>Metric %1: the last value logged (sorts by it)</source>
        <translation>指标 %1：最后记录的值（按其排序）</translation>
    </message>
    <message>
        <source>Tag %1</source>
        <translation>标签 %1</translation>
    </message>
</context>
<context>
    <name>cairn::panels::RunDetailView</name>
    <message>
        <source>Select a run to see its parameters, metrics, curves, tags and artifacts.
Select two or more to compare them.</source>
        <translation>选择一个运行以查看其参数、指标、曲线、标签和产物。
选择两个或更多运行进行比较。</translation>
    </message>
    <message>
        <source>Parameter</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Metric</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>Last</source>
        <translation>最新</translation>
    </message>
    <message>
        <source>Min</source>
        <translation>最小</translation>
    </message>
    <message>
        <source>Max</source>
        <translation>最大</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>步</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>点数</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>概览</translation>
    </message>
    <message>
        <source>Tick the metrics to plot</source>
        <translation>勾选要绘制的指标</translation>
    </message>
    <message>
        <source>Relative time (s)</source>
        <translation>相对时间（秒）</translation>
    </message>
    <message>
        <source>Wall time</source>
        <translation>墙钟时间</translation>
    </message>
    <message>
        <source>Smoothing (exponential moving average)</source>
        <translation>平滑（指数移动平均）</translation>
    </message>
    <message>
        <source>Log scale</source>
        <translation>对数刻度</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Save the plot as PNG or SVG</source>
        <translation>将图表保存为 PNG 或 SVG</translation>
    </message>
    <message>
        <source>X:</source>
        <translation>X：</translation>
    </message>
    <message>
        <source>Smoothing:</source>
        <translation>平滑：</translation>
    </message>
    <message>
        <source>Tick a metric on the left to plot it</source>
        <translation>勾选左侧的指标以绘制曲线</translation>
    </message>
    <message>
        <source>Curves</source>
        <translation>曲线</translation>
    </message>
    <message>
        <source>Tag</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Add Tag…</source>
        <translation>添加标签…</translation>
    </message>
    <message>
        <source>Remove Tag</source>
        <translation>移除标签</translation>
    </message>
    <message>
        <source>Double-click a value to edit it.</source>
        <translation>双击值即可编辑。</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Artifact</source>
        <translation>产物</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Open with the desktop&apos;s application for this file type</source>
        <translation>用桌面环境中此文件类型的应用程序打开</translation>
    </message>
    <message>
        <source>Show Folder</source>
        <translation>显示文件夹</translation>
    </message>
    <message>
        <source>Artifacts</source>
        <translation>产物</translation>
    </message>
    <message>
        <source>This run has no artifact folder yet (%1).</source>
        <translation>此运行还没有产物文件夹（%1）。</translation>
    </message>
    <message>
        <source>Child run</source>
        <translation>子运行</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Run id</source>
        <translation>运行编号</translation>
    </message>
    <message>
        <source>Child Runs</source>
        <translation>子运行</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Cannot read the run: %1</source>
        <translation>无法读取运行：%1</translation>
    </message>
    <message>
        <source>Run id &lt;code&gt;%1&lt;/code&gt;</source>
        <translation>运行编号 &lt;code&gt;%1&lt;/code&gt;</translation>
    </message>
    <message>
        <source>Experiment &lt;b&gt;%1&lt;/b&gt;</source>
        <translation>实验 &lt;b&gt;%1&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Started %1</source>
        <translation>开始于 %1</translation>
    </message>
    <message>
        <source>Duration %1%2</source>
        <translation>时长 %1%2</translation>
    </message>
    <message>
        <source> (still running)</source>
        <translation>（仍在运行）</translation>
    </message>
    <message>
        <source>Source %1</source>
        <translation>来源 %1</translation>
    </message>
    <message>
        <source>Host %1</source>
        <translation>主机 %1</translation>
    </message>
    <message numerus="yes">
        <source>Distributed over %n rank(s): %1</source>
        <translation>
            <numerusform>分布式，共 %n 个 rank：%1</numerusform>
        </translation>
    </message>
    <message>
        <source>Parent &lt;a href=&apos;run:%1&apos;&gt;%2&lt;/a&gt;</source>
        <translation>父运行 &lt;a href=&apos;run:%1&apos;&gt;%2&lt;/a&gt;</translation>
    </message>
    <message numerus="yes">
        <source>%n child runs</source>
        <translation>
            <numerusform>%n 个子运行</numerusform>
        </translation>
    </message>
    <message>
        <source>This run is deleted; restore it from the table&apos;s menu.</source>
        <translation>此运行已被删除；可通过表格的菜单恢复。</translation>
    </message>
    <message>
        <source>This run has no artifacts.
Log them with cairn.log_artifact() or a job&apos;s output.</source>
        <translation>此运行没有产物。
可通过 cairn.log_artifact() 或作业输出记录产物。</translation>
    </message>
    <message>
        <source>Select an artifact to preview it.</source>
        <translation>选择一个产物以预览。</translation>
    </message>
    <message>
        <source>
… (%1 more; open the file to see all of it)</source>
        <translation>
…（还有 %1；打开文件查看全部内容）</translation>
    </message>
    <message>
        <source>No preview for %1 (%2, %3).
Use Open to view it with the desktop&apos;s application.</source>
        <translation>无法预览 %1（%2，%3）。
请使用“打开”通过桌面应用程序查看。</translation>
    </message>
    <message>
        <source>value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Add Tag</source>
        <translation>添加标签</translation>
    </message>
    <message>
        <source>Tag name:</source>
        <translation>标签名：</translation>
    </message>
    <message>
        <source>Value of %1:</source>
        <translation>%1 的值：</translation>
    </message>
    <message>
        <source>Rows: the true class · columns: the predicted class · colour: the share of the row (the diagonal is right)</source>
        <translation>行：真实类别 · 列：预测类别 · 颜色：占该行的比例（对角线为预测正确）</translation>
    </message>
    <message>
        <source>one value</source>
        <translation>单个值</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message numerus="yes">
        <source>%1: %n point(s)</source>
        <translation>
            <numerusform>%1：%n 个点</numerusform>
        </translation>
    </message>
    <message>
        <source>True %1, predicted %2: %3 (%4% of %1)</source>
        <translation>真实 %1，预测 %2：%3（占 %1 的 %4%）</translation>
    </message>
</context>
<context>
    <name>cairn::panels::RunsTableModel</name>
    <message>
        <source>%1
Run id %2</source>
        <translation>%1
运行编号 %2</translation>
    </message>
    <message numerus="yes">
        <source>%1 (%n trials)</source>
        <translation>
            <numerusform>%1（%n 次试验）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>last %1 at step %2
min %3, max %4, %n points</source>
        <translation>
            <numerusform>最新 %1（第 %2 步）
最小 %3，最大 %4，共 %n 个点</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cairn::panels::ThumbnailModel</name>
    <message>
        <source>%1
%2</source>
        <translation>%1
%2</translation>
    </message>
</context>
<context>
    <name>cairn::panels::TrainingPanel</name>
    <message>
        <source>the cluster's default</source>
        <translation>集群的默认值</translation>
    </message>
    <message>
        <source>Partition:</source>
        <translation>分区：</translation>
    </message>
    <message>
        <source>the partition's, e.g. 2:00:00</source>
        <translation>分区的默认值，例如 2:00:00</translation>
    </message>
    <message>
        <source>Minutes, H:M:S or D-H:M:S; Slurm stops the job when it runs out (TIMEOUT)</source>
        <translation>分钟、H:M:S 或 D-H:M:S；超时后 Slurm 会停止作业（TIMEOUT）</translation>
    </message>
    <message>
        <source>Time limit:</source>
        <translation>时间限制：</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>GPUs per instance:</source>
        <translation>每个实例的 GPU：</translation>
    </message>
    <message>
        <source> MB</source>
        <translation> MB</translation>
    </message>
    <message>
        <source>the partition's default</source>
        <translation>分区的默认值</translation>
    </message>
    <message>
        <source>Memory per instance:</source>
        <translation>每个实例的内存：</translation>
    </message>
    <message>
        <source>'%1' is not a Slurm partition name.</source>
        <translation>“%1”不是 Slurm 分区名。</translation>
    </message>
    <message>
        <source>'%1' is not a Slurm time limit (minutes, H:M:S or D-H:M:S).</source>
        <translation>“%1”不是 Slurm 时间限制（分钟、H:M:S 或 D-H:M:S）。</translation>
    </message>
    <message>
        <source>New training job</source>
        <translation>新建训练作业</translation>
    </message>
    <message>
        <source>Algorithm</source>
        <translation>算法</translation>
    </message>
    <message>
        <source>Algorithm:</source>
        <translation>算法：</translation>
    </message>
    <message>
        <source>Task:</source>
        <translation>任务：</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <source>Hyperparameters</source>
        <translation>超参数</translation>
    </message>
    <message>
        <source>Reset to defaults</source>
        <translation>恢复默认值</translation>
    </message>
    <message>
        <source>Put every hyperparameter back to the algorithm&apos;s default</source>
        <translation>将所有超参数恢复为算法的默认值</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>The experiment the run goes into (created if new)</source>
        <translation>运行所属的实验（不存在时自动创建）</translation>
    </message>
    <message>
        <source>Experiment:</source>
        <translation>实验：</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>Run name:</source>
        <translation>运行名称：</translation>
    </message>
    <message>
        <source>all (%1)</source>
        <translation>全部（%1）</translation>
    </message>
    <message>
        <source>CPU threads the job may use</source>
        <translation>作业可使用的 CPU 线程数</translation>
    </message>
    <message>
        <source>Data-parallel training on this many instances (SSH hosts or cluster nodes; on this machine, processes)</source>
        <translation>在这么多个实例上进行数据并行训练（SSH 主机或集群节点；在本机上为进程）</translation>
    </message>
    <message>
        <source>Instances:</source>
        <translation>实例数：</translation>
    </message>
    <message>
        <source>Training processes (ranks) on each instance; CPUs are per process</source>
        <translation>每个实例上的训练进程（rank）数；CPU 数按进程计</translation>
    </message>
    <message>
        <source>Processes per instance:</source>
        <translation>每实例进程数：</translation>
    </message>
    <message>
        <source>One instance on each of these hosts:</source>
        <translation>在以下每台主机上各运行一个实例：</translation>
    </message>
    <message>
        <source>Spread the ranks over SSH hosts (and this machine): the instance count follows the hosts ticked</source>
        <translation>将各 rank 分布到 SSH 主机（及本机）上：实例数等于勾选的主机数</translation>
    </message>
    <message>
        <source>Tick at least two hosts to spread the instances over.</source>
        <translation>请至少勾选两台主机来分布实例。</translation>
    </message>
    <message>
        <source>CPUs:</source>
        <translation>CPU：</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Jobs</source>
        <translation>作业</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Ask the selected job to stop (it keeps what it has trained); press again to stop it at once</source>
        <translation>请求所选作业停止（保留已训练的结果）；再次按下则立即停止</translation>
    </message>
    <message>
        <source>Clone job</source>
        <translation>克隆作业</translation>
    </message>
    <message>
        <source>Fill the form with the selected job&apos;s settings to run it again with changes</source>
        <translation>用所选作业的设置填写表单，以便修改后再次运行</translation>
    </message>
    <message>
        <source>Open run</source>
        <translation>打开运行</translation>
    </message>
    <message>
        <source>Show the job&apos;s run (metrics, parameters, model) in the Experiments panel</source>
        <translation>在“实验”面板中显示此作业的运行（指标、参数、模型）</translation>
    </message>
    <message>
        <source>Register model…</source>
        <translation>注册模型…</translation>
    </message>
    <message>
        <source>Register the finished job&apos;s model in the model registry (Models panel)</source>
        <translation>将已完成作业的模型注册到模型注册表（“模型”面板）</translation>
    </message>
    <message>
        <source>Deploy…</source>
        <translation>部署…</translation>
    </message>
    <message>
        <source>Serve the finished job&apos;s model as an HTTP endpoint (Models panel)</source>
        <translation>将已完成作业的模型作为 HTTP 端点提供服务（“模型”面板）</translation>
    </message>
    <message>
        <source>No algorithm plugins were found (looked in: %1).</source>
        <translation>未找到算法插件（已查找：%1）。</translation>
    </message>
    <message>
        <source>Automatic (from the target)</source>
        <translation>自动（根据目标列）</translation>
    </message>
    <message>
        <source>Training job %1 finished; Open run shows it in Experiments.</source>
        <translation>训练作业 %1 已完成；点击“打开运行”可在“实验”中查看。</translation>
    </message>
    <message>
        <source>Training job %1: %2 (%3)</source>
        <translation>训练作业 %1：%2（%3）</translation>
    </message>
    <message>
        <source>Open a workspace to train.</source>
        <translation>请打开一个工作区以进行训练。</translation>
    </message>
    <message>
        <source>Choose an algorithm.</source>
        <translation>请选择算法。</translation>
    </message>
    <message>
        <source>Reading the data…</source>
        <translation>正在读取数据…</translation>
    </message>
    <message>
        <source>Choose the target column to predict.</source>
        <translation>请选择要预测的目标列。</translation>
    </message>
    <message>
        <source>Name the experiment.</source>
        <translation>请为实验命名。</translation>
    </message>
    <message>
        <source>Training job %1 submitted.</source>
        <translation>已提交训练作业 %1。</translation>
    </message>
    <message>
        <source>The algorithm &apos;%1&apos; of this job is not installed.</source>
        <translation>此作业的算法“%1”未安装。</translation>
    </message>
    <message>
        <source>stopped from the Training panel</source>
        <translation>从“训练”面板停止</translation>
    </message>
    <message>
        <source>Asked the process running job %1 to stop it.</source>
        <translation>已请求运行作业 %1 的进程停止该作业。</translation>
    </message>
    <message>
        <source>The form holds job %1&apos;s settings: change what you like and press Train.</source>
        <translation>表单已填入作业 %1 的设置：按需修改后按“训练”。</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Start the job: the worker runs in its own process and its metrics go to a run (Ctrl+Enter)</source>
        <translation>开始作业：工作进程独立运行，指标写入一个运行（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Host:</source>
        <translation>主机：</translation>
    </message>
</context>
<context>
    <name>cairn::panels::TuningPanel</name>
    <message>
        <source>Where the trials run: this machine and any of your SSH hosts. With several ticked, each trial goes to the host with the most free room (its job limit applies)</source>
        <translation>试验运行的位置：本机以及任意几台 SSH 主机。勾选多台时，每个试验交给空闲容量最多的主机（遵守其作业上限）</translation>
    </message>
    <message>
        <source>Hosts:</source>
        <translation>主机：</translation>
    </message>
    <message>
        <source>Tick at least one host to run the trials on.</source>
        <translation>请至少勾选一台运行试验的主机。</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>主机</translation>
    </message>
    <message>
        <source>Host &apos;%1&apos; cannot run trials (%2): its trials run on the other hosts.</source>
        <translation>主机“%1”无法运行试验（%2）：其试验改在其他主机上运行。</translation>
    </message>
    <message numerus="yes">
        <source>%1: %n trial(s)</source>
        <translation>
            <numerusform>%1：%n 个试验</numerusform>
        </translation>
    </message>
    <message>
        <source>Hosts — %1</source>
        <translation>主机 — %1</translation>
    </message>
    <message>
        <source>Stopped early</source>
        <translation>提前停止</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>Stopping</source>
        <translation>正在停止</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>New tuning job</source>
        <translation>新建调优作业</translation>
    </message>
    <message>
        <source>Algorithm and data</source>
        <translation>算法与数据</translation>
    </message>
    <message>
        <source>Algorithm:</source>
        <translation>算法：</translation>
    </message>
    <message>
        <source>Search space</source>
        <translation>搜索空间</translation>
    </message>
    <message>
        <source>Tick the parameters to tune and set their ranges; the others keep the value shown.</source>
        <translation>勾选要调优的参数并设置范围；其余参数保持所示的值。</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <source>Bayesian optimisation</source>
        <translation>贝叶斯优化</translation>
    </message>
    <message>
        <source>Random search</source>
        <translation>随机搜索</translation>
    </message>
    <message>
        <source>Grid search</source>
        <translation>网格搜索</translation>
    </message>
    <message>
        <source>Bayesian optimisation models the objective from the trials so far (a Gaussian process) to pick the next ones</source>
        <translation>贝叶斯优化根据已有试验对目标建模（高斯过程），以选择下一批试验</translation>
    </message>
    <message>
        <source>Strategy:</source>
        <translation>策略：</translation>
    </message>
    <message>
        <source>The metric each trial is judged by: its last value in the trial&apos;s run</source>
        <translation>评判每次试验的指标：取试验运行中该指标的最后一个值</translation>
    </message>
    <message>
        <source>Maximize</source>
        <translation>最大化</translation>
    </message>
    <message>
        <source>Minimize</source>
        <translation>最小化</translation>
    </message>
    <message>
        <source>Objective:</source>
        <translation>目标：</translation>
    </message>
    <message>
        <source>Max trials:</source>
        <translation>最大试验次数：</translation>
    </message>
    <message>
        <source>Trials running at the same time (the job manager&apos;s limit per machine also applies)</source>
        <translation>同时运行的试验数（同时受作业管理器的单机上限约束）</translation>
    </message>
    <message>
        <source>Parallel trials:</source>
        <translation>并行试验数：</translation>
    </message>
    <message>
        <source>Stop poor trials early (median rule)</source>
        <translation>提前停止表现差的试验（中位数规则）</translation>
    </message>
    <message>
        <source>A trial whose objective so far is worse than the median of the other trials at the same step is stopped</source>
        <translation>若某试验目前的目标值差于其他试验在同一步的中位数，则停止该试验</translation>
    </message>
    <message>
        <source>Experiment:</source>
        <translation>实验：</translation>
    </message>
    <message>
        <source>automatic (tune-ALGORITHM)</source>
        <translation>自动（tune-算法名）</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Start tuning</source>
        <translation>开始调优</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop the running trials and start no more</source>
        <translation>停止正在运行的试验，并不再启动新试验</translation>
    </message>
    <message>
        <source>Open best run</source>
        <translation>打开最佳运行</translation>
    </message>
    <message>
        <source>Show the best trial&apos;s run in the Experiments panel</source>
        <translation>在“实验”面板中显示最佳试验的运行</translation>
    </message>
    <message>
        <source>Train the best</source>
        <translation>训练最佳配置</translation>
    </message>
    <message>
        <source>Fill the Training panel&apos;s form with the best trial&apos;s parameters</source>
        <translation>用最佳试验的参数填写“训练”面板的表单</translation>
    </message>
    <message>
        <source>Open tuning run</source>
        <translation>打开调优运行</translation>
    </message>
    <message>
        <source>Show the tuning run (its trials are child runs) in the Experiments panel</source>
        <translation>在“实验”面板中显示调优运行（其试验为子运行）</translation>
    </message>
    <message>
        <source>trial objective</source>
        <translation>试验目标值</translation>
    </message>
    <message>
        <source>best so far</source>
        <translation>目前最佳</translation>
    </message>
    <message>
        <source>trial</source>
        <translation>试验</translation>
    </message>
    <message>
        <source>Objective per trial</source>
        <translation>每次试验的目标值</translation>
    </message>
    <message>
        <source>The trials appear here as they finish</source>
        <translation>试验完成后显示在这里</translation>
    </message>
    <message>
        <source>Parallel coordinates</source>
        <translation>平行坐标</translation>
    </message>
    <message>
        <source>Open a workspace to tune.</source>
        <translation>请打开一个工作区以进行调优。</translation>
    </message>
    <message>
        <source>A tuning job is running: stop it or wait for it to end before starting another.</source>
        <translation>已有调优作业在运行：请先停止或等待其结束，再启动新的作业。</translation>
    </message>
    <message>
        <source>Choose an algorithm.</source>
        <translation>请选择算法。</translation>
    </message>
    <message>
        <source>Reading the data…</source>
        <translation>正在读取数据…</translation>
    </message>
    <message>
        <source>Choose the target column to predict.</source>
        <translation>请选择要预测的目标列。</translation>
    </message>
    <message>
        <source>Tick at least one parameter to tune.</source>
        <translation>请至少勾选一个要调优的参数。</translation>
    </message>
    <message>
        <source>Name the objective metric (e.g. validation.auc).</source>
        <translation>请指定目标指标（例如 validation.auc）。</translation>
    </message>
    <message>
        <source>Trial</source>
        <translation>试验</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Tuning finished: the best %1 is %2 (trial %3).</source>
        <translation>调优完成：最佳 %1 为 %2（试验 %3）。</translation>
    </message>
    <message>
        <source>Tuning finished without a usable trial.</source>
        <translation>调优结束，但没有可用的试验。</translation>
    </message>
    <message>
        <source>Objective</source>
        <translation>目标值</translation>
    </message>
    <message>
        <source>&lt;i&gt;No tuning job yet: configure one on the left and press Start tuning.&lt;/i&gt;</source>
        <translation>&lt;i&gt;还没有调优作业：在左侧配置后按“开始调优”。&lt;/i&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; finished: %2 of %3 trials</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; 已完成：%2 / %3 次试验</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;: %2 of %3 trials done, %4 running</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;：已完成 %2 / %3 次试验，%4 个运行中</translation>
    </message>
    <message numerus="yes">
        <source>, %n failed</source>
        <translation>
            <numerusform>，%n 个失败</numerusform>
        </translation>
    </message>
    <message>
        <source>Best %1 = &lt;b&gt;%2&lt;/b&gt; (trial %3, %4)</source>
        <translation>最佳 %1 = &lt;b&gt;%2&lt;/b&gt;（试验 %3，%4）</translation>
    </message>
    <message>
        <source>maximized</source>
        <translation>最大化</translation>
    </message>
    <message>
        <source>minimized</source>
        <translation>最小化</translation>
    </message>
    <message>
        <source>trial %1</source>
        <translation>试验 %1</translation>
    </message>
    <message>
        <source>Tuning</source>
        <translation>调优</translation>
    </message>
    <message>
        <source>The objective of each trial appears here as it finishes</source>
        <translation>每次试验完成后，其目标值显示在这里</translation>
    </message>
    <message>
        <source>Start the tuning job (Ctrl+Enter)</source>
        <translation>开始调优作业（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Tuning run</source>
        <translation>调优运行</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <source>The tuning runs of this workspace, from this window, the command line or another studio</source>
        <translation>此工作区的调优运行，来自本窗口、命令行或另一个 Studio</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; (run by another process): %2 of %3 trials done, %4 running</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;（由另一个进程运行）：已完成 %2 / %3 次试验，%4 次运行中</translation>
    </message>
    <message>
        <source>Host:</source>
        <translation>主机：</translation>
    </message>
    <message>
        <source>Where the trials run: this machine or one of your SSH hosts (its job limit applies)</source>
        <translation>试验运行的位置：本机或您的某台 SSH 主机（受其作业数上限约束）</translation>
    </message>
</context>
<context>
    <name>cairn::studio::MainWindow</name>
    <message>
        <source>Creating the sample workspace: training scikit-learn models on the Titanic passengers…</source>
        <translation>正在创建示例工作区：在泰坦尼克号乘客数据上训练 scikit-learn 模型…</translation>
    </message>
    <message>
        <source>The sample workspace is ready.</source>
        <translation>示例工作区已就绪。</translation>
    </message>
    <message>
        <source>Creating the sample workspace failed: %1</source>
        <translation>创建示例工作区失败：%1</translation>
    </message>
    <message>
        <source>Cairn Studio</source>
        <translation>Cairn Studio</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;New Workspace…</source>
        <translation>新建工作区(&amp;N)…</translation>
    </message>
    <message>
        <source>&amp;Open Workspace…</source>
        <translation>打开工作区(&amp;O)…</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>Show Workspace &amp;Folder</source>
        <translation>显示工作区文件夹(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>主题(&amp;T)</translation>
    </message>
    <message>
        <source>Follow &amp;System</source>
        <translation>跟随系统(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Light</source>
        <translation>浅色(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Dark</source>
        <translation>深色(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>Follow System</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>The language changes at the next start.</source>
        <translation>语言将在下次启动时生效。</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About Cairn Studio</source>
        <translation>关于 Cairn Studio(&amp;A)</translation>
    </message>
    <message>
        <source>Cannot open workspace</source>
        <translation>无法打开工作区</translation>
    </message>
    <message>
        <source>%1 — Cairn Studio</source>
        <translation>%1 — Cairn Studio</translation>
    </message>
    <message>
        <source>Choose an empty folder for the new workspace</source>
        <translation>为新工作区选择一个空文件夹</translation>
    </message>
    <message>
        <source>New Workspace</source>
        <translation>新建工作区</translation>
    </message>
    <message>
        <source>%1 already holds a workspace; it is opened as it is.</source>
        <translation>%1 中已有工作区，将直接打开。</translation>
    </message>
    <message>
        <source>%1 is not empty. Create the workspace there anyway? Nothing in it is changed.</source>
        <translation>%1 不是空文件夹。仍要在此创建工作区吗？其中的内容不会被改动。</translation>
    </message>
    <message>
        <source>Open Workspace</source>
        <translation>打开工作区</translation>
    </message>
    <message>
        <source>%1 holds no Cairn workspace (no cairn.db). Create a new workspace there?</source>
        <translation>%1 中没有 Cairn 工作区（缺少 cairn.db）。要在此新建工作区吗？</translation>
    </message>
    <message>
        <source>(none yet)</source>
        <translation>（暂无）</translation>
    </message>
    <message>
        <source>Clear List</source>
        <translation>清空列表</translation>
    </message>
    <message>
        <source>No workspace</source>
        <translation>无工作区</translation>
    </message>
    <message>
        <source>Workspace: %1</source>
        <translation>工作区：%1</translation>
    </message>
    <message>
        <source>1 experiment</source>
        <translation>1 个实验</translation>
    </message>
    <message>
        <source>%1 experiments</source>
        <translation>%1 个实验</translation>
    </message>
    <message>
        <source>1 run</source>
        <translation>1 个运行</translation>
    </message>
    <message>
        <source>%1 runs</source>
        <translation>%1 个运行</translation>
    </message>
    <message>
        <source>%1 running</source>
        <translation>%1 个运行中</translation>
    </message>
    <message>
        <source>About Cairn Studio</source>
        <translation>关于 Cairn Studio</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Cairn Studio %1&lt;/h3&gt;&lt;p&gt;A local-first machine learning workbench: notebooks, experiments, training, tuning and deployment on your own machines.&lt;/p&gt;&lt;p&gt;Licensed under the GNU General Public License, version 3 or later.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Cairn Studio %1&lt;/h3&gt;&lt;p&gt;本地优先的机器学习工作台：在您自己的机器上进行笔记本、实验、训练、调优和部署。&lt;/p&gt;&lt;p&gt;依据 GNU 通用公共许可证第 3 版或更高版本授权。&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>cairn::panels::EndpointsView</name>
    <message>
        <source>Start endpoint</source>
        <translation>启动端点</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>New endpoint</source>
        <translation>新端点</translation>
    </message>
    <message>
        <source>model: churn@champion, churn:3 or a run id</source>
        <translation>模型：churn@champion、churn:3 或运行 ID</translation>
    </message>
    <message>
        <source>name (default: the model&apos;s)</source>
        <translation>名称（默认取模型名）</translation>
    </message>
    <message>
        <source>any free port</source>
        <translation>任意空闲端口</translation>
    </message>
    <message>
        <source>TCP port on 127.0.0.1; 0 picks a free one</source>
        <translation>127.0.0.1 上的 TCP 端口；0 表示自动选择空闲端口</translation>
    </message>
    <message>
        <source>bearer token (optional)</source>
        <translation>访问令牌（可选）</translation>
    </message>
    <message>
        <source>Runs cairn serve in the background: the endpoint keeps serving when the window closes</source>
        <translation>在后台运行 cairn serve：关闭窗口后端点仍继续服务</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>端点</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Process</source>
        <translation>进程</translation>
    </message>
    <message>
        <source>SIGTERM: the endpoint answers the requests it has, then exits</source>
        <translation>发送 SIGTERM：端点答复已收到的请求后退出</translation>
    </message>
    <message>
        <source>Request</source>
        <translation>请求</translation>
    </message>
    <message>
        <source>as sent</source>
        <translation>与请求相同</translation>
    </message>
    <message>
        <source>Content-Type</source>
        <translation>Content-Type</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>接受格式</translation>
    </message>
    <message>
        <source>Paste CSV rows (with or without a header) or JSON, e.g. {&quot;dataframe_records&quot;: [{&quot;age&quot;: 22}]}</source>
        <translation>粘贴 CSV 行（可带表头）或 JSON，例如 {&quot;dataframe_records&quot;: [{&quot;age&quot;: 22}]}</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>应答</translation>
    </message>
    <message>
        <source>seconds</source>
        <translation>秒</translation>
    </message>
    <message>
        <source>requests/s</source>
        <translation>请求/秒</translation>
    </message>
    <message>
        <source>Requests per second appear while an endpoint is selected</source>
        <translation>选中端点后显示每秒请求数</translation>
    </message>
    <message>
        <source>latency (ms)</source>
        <translation>延迟（毫秒）</translation>
    </message>
    <message>
        <source>Latency appears once requests arrive</source>
        <translation>收到请求后显示延迟</translation>
    </message>
    <message>
        <source>The log of an endpoint started from this panel</source>
        <translation>从本面板启动的端点的日志</translation>
    </message>
    <message>
        <source>open a workspace first</source>
        <translation>请先打开工作区</translation>
    </message>
    <message>
        <source>name the model to serve: churn@champion, churn:3, or a run id</source>
        <translation>请指定要服务的模型：churn@champion、churn:3 或运行 ID</translation>
    </message>
    <message>
        <source>endpoint name &apos;%1&apos;: use letters, digits, &apos;.&apos;, &apos;_&apos; and &apos;-&apos;</source>
        <translation>端点名称“%1”：只能使用字母、数字、“.”、“_”和“-”</translation>
    </message>
    <message>
        <source>an endpoint named &apos;%1&apos; already runs on %2: stop it or pick another name</source>
        <translation>名为“%1”的端点已在 %2 运行：请先停止它或换一个名称</translation>
    </message>
    <message>
        <source>cannot run %1: %2</source>
        <translation>无法运行 %1：%2</translation>
    </message>
    <message>
        <source>Starting %1 (process %2)…</source>
        <translation>正在启动 %1（进程 %2）…</translation>
    </message>
    <message>
        <source>cannot stop %1 (process %2): %3</source>
        <translation>无法停止 %1（进程 %2）：%3</translation>
    </message>
    <message>
        <source>Stopping %1: it answers the requests it has, then exits</source>
        <translation>正在停止 %1：答复已收到的请求后退出</translation>
    </message>
    <message>
        <source>%1 does not run</source>
        <translation>%1 未在运行</translation>
    </message>
    <message>
        <source>%1 serves</source>
        <translation>%1 正在服务</translation>
    </message>
    <message>
        <source>%1 did not start: %2</source>
        <translation>%1 未能启动：%2</translation>
    </message>
    <message>
        <source>started %1</source>
        <translation>启动于 %1</translation>
    </message>
    <message>
        <source>No endpoint runs in this workspace.</source>
        <translation>此工作区没有正在运行的端点。</translation>
    </message>
    <message>
        <source>Waiting for the metrics of %1…</source>
        <translation>正在等待 %1 的指标…</translation>
    </message>
    <message>
        <source>%1: no metrics (%2)</source>
        <translation>%1：无法读取指标（%2）</translation>
    </message>
    <message>
        <source>%1: no model loaded yet</source>
        <translation>%1：模型尚未加载</translation>
    </message>
    <message>
        <source>mean</source>
        <translation>平均</translation>
    </message>
    <message>
        <source>p99 (bucket bound)</source>
        <translation>p99（分桶上界）</translation>
    </message>
    <message>
        <source>%1: %2 requests/s, mean latency %3 ms, p99 ≤ %4 ms; %5 requests, %6 errors in all</source>
        <translation>%1：%2 请求/秒，平均延迟 %3 毫秒，p99 ≤ %4 毫秒；累计 %5 个请求，%6 个错误</translation>
    </message>
    <message>
        <source>%1 was not started from this panel, so its log is where it was started</source>
        <translation>%1 不是从本面板启动的，其日志在启动它的地方</translation>
    </message>
    <message>
        <source>Pick a running endpoint first.</source>
        <translation>请先选择一个正在运行的端点。</translation>
    </message>
    <message>
        <source>Sending %1 bytes to %2…</source>
        <translation>正在向 %2 发送 %1 字节…</translation>
    </message>
    <message>
        <source>No answer: %1</source>
        <translation>无应答：%1</translation>
    </message>
    <message>
        <source>HTTP %1 in %2 ms%3</source>
        <translation>HTTP %1，用时 %2 毫秒%3</translation>
    </message>
    <message>
        <source>, answered by %1</source>
        <translation>，由 %1 应答</translation>
    </message>
</context>
<context>
    <name>cairn::panels::BaselineDialog</name>
    <message>
        <source>Another CSV file:</source>
        <translation>另一个 CSV 文件：</translation>
    </message>
    <message>
        <source>Baseline of %1</source>
        <translation>%1 的基线</translation>
    </message>
    <message>
        <source>Monitoring compares the captured requests with a baseline: the statistics of the data the model learned from, and constraints (types, completeness, values, drift thresholds) you can relax later in constraints.json.</source>
        <translation>监控将捕获的请求与基线比较：基线是模型训练数据的统计信息，以及约束（类型、完整度、取值、漂移阈值），之后可在 constraints.json 中放宽。</translation>
    </message>
    <message>
        <source>The model&apos;s training data (not known: the endpoint is not running or its model is not registered)</source>
        <translation>模型的训练数据（未知：端点未运行，或其模型未注册）</translation>
    </message>
    <message>
        <source>The model&apos;s training data: %1</source>
        <translation>模型的训练数据：%1</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>The label column: left out of the features (the captured requests do not carry it)</source>
        <translation>标签列：不作为特征（捕获的请求中没有它）</translation>
    </message>
    <message>
        <source>Label column:</source>
        <translation>标签列：</translation>
    </message>
    <message>
        <source>e.g. id, name (comma-separated)</source>
        <translation>例如 id, name（以逗号分隔）</translation>
    </message>
    <message>
        <source>Columns that are not features, such as ids: their values always differ</source>
        <translation>不是特征的列，例如编号：它们的值总是不同</translation>
    </message>
    <message>
        <source>Leave out:</source>
        <translation>排除：</translation>
    </message>
    <message>
        <source>Create baseline</source>
        <translation>创建基线</translation>
    </message>
    <message>
        <source>Baseline data</source>
        <translation>基线数据</translation>
    </message>
    <message>
        <source>CSV files (*.csv);;All files (*)</source>
        <translation>CSV 文件 (*.csv);;所有文件 (*)</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
</context>
<context>
    <name>cairn::panels::DistributionPlot</name>
    <message>
        <source>Share of rows (%)</source>
        <translation>行占比 (%)</translation>
    </message>
    <message>
        <source>baseline</source>
        <translation>基线</translation>
    </message>
    <message>
        <source>current</source>
        <translation>当前</translation>
    </message>
    <message>
        <source>(missing)</source>
        <translation>（缺失）</translation>
    </message>
</context>
<context>
    <name>cairn::panels::MonitorPanel</name>
    <message>
        <source>numeric</source>
        <translation>数值</translation>
    </message>
    <message>
        <source>categorical</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>binary</source>
        <translation>二元</translation>
    </message>
    <message>
        <source>text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>Kolmogorov–Smirnov</source>
        <translation>KS 检验</translation>
    </message>
    <message>
        <source>chi-squared</source>
        <translation>卡方检验</translation>
    </message>
    <message>
        <source>proportion z-test</source>
        <translation>比例 z 检验</translation>
    </message>
    <message>
        <source>Wasserstein (normed)</source>
        <translation>Wasserstein 距离（归一化）</translation>
    </message>
    <message>
        <source>Jensen–Shannon</source>
        <translation>JS 距离</translation>
    </message>
    <message>
        <source>not compared</source>
        <translation>未比较</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Violations</source>
        <translation>违规</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>The model in %1 was not trained by a job of this workspace: its training settings are not known.</source>
        <translation>%1 中的模型不是由本工作区的作业训练的：无法得知其训练设置。</translation>
    </message>
    <message>
        <source>Create baseline…</source>
        <translation>创建基线…</translation>
    </message>
    <message>
        <source>Run now</source>
        <translation>立即运行</translation>
    </message>
    <message>
        <source>Labels…</source>
        <translation>标签…</translation>
    </message>
    <message>
        <source>Compare tables…</source>
        <translation>比较两个表…</translation>
    </message>
    <message>
        <source>Retrain on recent data…</source>
        <translation>用近期数据重新训练…</translation>
    </message>
    <message>
        <source>Open report</source>
        <translation>打开报告</translation>
    </message>
    <message>
        <source>An endpoint (its captured requests and monitoring runs), or the comparisons of two tables</source>
        <translation>一个端点（其捕获的请求与监控运行），或两个表的比较</translation>
    </message>
    <message>
        <source>Endpoint:</source>
        <translation>端点：</translation>
    </message>
    <message>
        <source>Statistics and constraints of the data the model was trained on (or any CSV) to compare captured data with</source>
        <translation>模型训练数据（或任意 CSV）的统计信息与约束，用来与捕获的数据比较</translation>
    </message>
    <message>
        <source>since the last run</source>
        <translation>自上次运行以来</translation>
    </message>
    <message>
        <source>last hour</source>
        <translation>最近一小时</translation>
    </message>
    <message>
        <source>last 24 hours</source>
        <translation>最近 24 小时</translation>
    </message>
    <message>
        <source>everything captured</source>
        <translation>全部捕获的数据</translation>
    </message>
    <message>
        <source>Which captured requests Run now compares with the baseline</source>
        <translation>“立即运行”将哪些捕获的请求与基线比较</translation>
    </message>
    <message>
        <source>Compare the captured requests with the baseline now</source>
        <translation>立即将捕获的请求与基线比较</translation>
    </message>
    <message>
        <source>Ground-truth labels by event id (CSV or SageMaker&apos;s JSON Lines) to measure the model&apos;s quality with</source>
        <translation>按事件编号给出的真实标签（CSV 或 SageMaker 的 JSON Lines 格式），用于衡量模型质量</translation>
    </message>
    <message>
        <source>Schedule:</source>
        <translation>计划：</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>hourly</source>
        <translation>每小时</translation>
    </message>
    <message>
        <source>daily</source>
        <translation>每天</translation>
    </message>
    <message>
        <source>Run monitoring on its own while the studio or `cairn monitor daemon` runs</source>
        <translation>在工作室或 `cairn monitor daemon` 运行期间自动运行监控</translation>
    </message>
    <message>
        <source>The same drift report between any two tables, without an endpoint</source>
        <translation>对任意两个表生成同样的漂移报告，无需端点</translation>
    </message>
    <message>
        <source>Open the Training panel with the model&apos;s settings and the selected run&apos;s captured rows (with their labels) as training data</source>
        <translation>打开训练面板：使用模型的设置，并以所选运行捕获的行（及其标签）作为训练数据</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Rows</source>
        <translation>行数</translation>
    </message>
    <message>
        <source>Drifted</source>
        <translation>已漂移</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Feature</source>
        <translation>特征</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>检查</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Statistic</source>
        <translation>统计量</translation>
    </message>
    <message>
        <source>p-value</source>
        <translation>p 值</translation>
    </message>
    <message>
        <source>Effect size / distance</source>
        <translation>效应量 / 距离</translation>
    </message>
    <message>
        <source>PSI</source>
        <translation>PSI</translation>
    </message>
    <message>
        <source>Over runs</source>
        <translation>各次运行</translation>
    </message>
    <message>
        <source>After the correction for testing many columns at once; the raw p-value is in the cell&apos;s tooltip</source>
        <translation>已按多列同时检验校正；原始 p 值见单元格提示</translation>
    </message>
    <message>
        <source>Tests: the effect size (KS D, Cramér&apos;s V, Cohen&apos;s h); distances: the distance</source>
        <translation>检验：效应量（KS 的 D、Cramér V、Cohen h）；距离方法：距离本身</translation>
    </message>
    <message>
        <source>The feature&apos;s drift score in each run, the selected run marked</source>
        <translation>该特征在每次运行中的漂移分数，已标出所选运行</translation>
    </message>
    <message>
        <source>Model quality:</source>
        <translation>模型质量：</translation>
    </message>
    <message>
        <source>No quality yet: add labels, or serve a classifier that answers probabilities</source>
        <translation>尚无质量数据：请添加标签，或部署能输出概率的分类器</translation>
    </message>
    <message>
        <source>Ground-truth labels</source>
        <translation>真实标签</translation>
    </message>
    <message>
        <source>Labels (*.csv *.jsonl *.json);;All files (*)</source>
        <translation>标签 (*.csv *.jsonl *.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Comparisons of two tables</source>
        <translation>两个表的比较</translation>
    </message>
    <message>
        <source>Run %1</source>
        <translation>运行 %1</translation>
    </message>
    <message>
        <source>Captured requests from %1 to %2: %3 records, %4 malformed lines skipped</source>
        <translation>%1 至 %2 捕获的请求：%3 条记录，跳过 %4 行格式错误</translation>
    </message>
    <message>
        <source>Select a monitoring run</source>
        <translation>请选择一次监控运行</translation>
    </message>
    <message>
        <source>This run has no drift report</source>
        <translation>此运行没有漂移报告</translation>
    </message>
    <message>
        <source>%1 (model output)</source>
        <translation>%1（模型输出）</translation>
    </message>
    <message>
        <source>%1 baseline values, %2 current values</source>
        <translation>基线 %1 个值，当前 %2 个值</translation>
    </message>
    <message>
        <source>raw p-value %1, adjusted %2 (threshold %3)</source>
        <translation>原始 p 值 %1，校正后 %2（阈值 %3）</translation>
    </message>
    <message>
        <source>distance; drift from %1</source>
        <translation>距离；自 %1 起视为漂移</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <source>No distribution was kept for %1</source>
        <translation>没有保存 %1 的分布</translation>
    </message>
    <message>
        <source>%1 (labels)</source>
        <translation>%1（标签）</translation>
    </message>
    <message>
        <source>%1 (estimated, CBPE)</source>
        <translation>%1（CBPE 估计）</translation>
    </message>
    <message>
        <source>%1 (baseline)</source>
        <translation>%1（基线）</translation>
    </message>
    <message>
        <source>end of the window</source>
        <translation>窗口结束时间</translation>
    </message>
    <message>
        <source>Open a workspace to monitor its endpoints.</source>
        <translation>打开一个工作区以监控其端点。</translation>
    </message>
    <message>
        <source>Comparisons of two tables made with Compare tables…, or saved in a folder of %1: %2</source>
        <translation>用“比较两个表…”生成或保存在 %1 的子文件夹中的比较：%2 个</translation>
    </message>
    <message>
        <source>No endpoint captures data yet: serve a model with --capture 100, or compare two tables.</source>
        <translation>还没有端点捕获数据：部署模型时加上 --capture 100，或比较两个表。</translation>
    </message>
    <message>
        <source>Baseline: %1 (%2 features, %3 rows, made %4)</source>
        <translation>基线：%1（%2 个特征，%3 行，创建于 %4）</translation>
    </message>
    <message>
        <source>No baseline yet: create one from the model&apos;s training data</source>
        <translation>还没有基线：请用模型的训练数据创建一个</translation>
    </message>
    <message>
        <source>schedule: %1, next run %2</source>
        <translation>计划：%1，下次运行 %2</translation>
    </message>
    <message>
        <source>no labels (quality is estimated from probabilities)</source>
        <translation>无标签（质量由概率估计）</translation>
    </message>
    <message>
        <source>labels: %1</source>
        <translation>标签：%1</translation>
    </message>
    <message>
        <source>Wait for the task that runs to end.</source>
        <translation>请等待正在运行的任务结束。</translation>
    </message>
    <message>
        <source>busy</source>
        <translation>忙碌</translation>
    </message>
    <message>
        <source>Choose an endpoint first.</source>
        <translation>请先选择一个端点。</translation>
    </message>
    <message>
        <source>no endpoint</source>
        <translation>未选择端点</translation>
    </message>
    <message>
        <source>Making the baseline from %1…</source>
        <translation>正在用 %1 创建基线…</translation>
    </message>
    <message>
        <source>cannot start %1: %2</source>
        <translation>无法启动 %1：%2</translation>
    </message>
    <message>
        <source>cairn monitor baseline failed (exit code %1)</source>
        <translation>cairn monitor baseline 失败（退出码 %1）</translation>
    </message>
    <message>
        <source>Baseline of %1 made from %2: %3 features, %4 rows (%5).</source>
        <translation>已用 %2 创建 %1 的基线：%3 个特征，%4 行（%5）。</translation>
    </message>
    <message>
        <source>Monitoring %1…</source>
        <translation>正在监控 %1…</translation>
    </message>
    <message>
        <source>Monitoring run %1 failed: %2</source>
        <translation>监控运行 %1 失败：%2</translation>
    </message>
    <message>
        <source>Monitoring run %1: %2 rows, %3 violations; drifted: %4.</source>
        <translation>监控运行 %1：%2 行，%3 项违规；漂移的特征：%4。</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Monitoring run %1: %2 rows, no violations.</source>
        <translation>监控运行 %1：%2 行，无违规。</translation>
    </message>
    <message>
        <source>Monitoring of %1 is no longer scheduled.</source>
        <translation>%1 的监控已取消计划。</translation>
    </message>
    <message>
        <source>Monitoring of %1 runs %2 while the studio or `cairn monitor daemon` runs; next run %3.</source>
        <translation>在工作室或 `cairn monitor daemon` 运行期间，%1 的监控将%2运行；下次运行 %3。</translation>
    </message>
    <message>
        <source>Comparing %1 with %2…</source>
        <translation>正在比较 %1 与 %2…</translation>
    </message>
    <message>
        <source>%1 against %2: %3 of %4 columns drifted, %5 violations.</source>
        <translation>%1 对比 %2：%4 列中有 %3 列漂移，%5 项违规。</translation>
    </message>
    <message>
        <source>Reference table (e.g. the training data)</source>
        <translation>参照表（例如训练数据）</translation>
    </message>
    <message>
        <source>CSV files (*.csv);;All files (*)</source>
        <translation>CSV 文件 (*.csv);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Current table (e.g. new data)</source>
        <translation>当前表（例如新数据）</translation>
    </message>
    <message>
        <source>Select a monitoring run of an endpoint: its captured rows are the recent data.</source>
        <translation>请选择某个端点的一次监控运行：其捕获的行即为近期数据。</translation>
    </message>
    <message>
        <source>%1 has no baseline: the columns of the captured rows are not known.</source>
        <translation>%1 没有基线：无法得知捕获行的列。</translation>
    </message>
    <message>
        <source>Training needs the labels of the captured rows: choose a ground-truth file (Labels…).</source>
        <translation>训练需要捕获行的标签：请选择真实标签文件（标签…）。</translation>
    </message>
    <message>
        <source>The model %1 serves is not known: start the endpoint again, or make its baseline with the model.</source>
        <translation>无法得知 %1 部署的模型：请重新启动该端点，或用该模型创建基线。</translation>
    </message>
    <message>
        <source>Collecting the captured rows of run %1…</source>
        <translation>正在收集运行 %1 捕获的行…</translation>
    </message>
    <message>
        <source>None of the %1 captured rows of run %2 has a label in %3.</source>
        <translation>运行 %2 捕获的 %1 行在 %3 中都没有标签。</translation>
    </message>
    <message>
        <source>%1 retrained on %2</source>
        <translation>%1 用 %2 重新训练</translation>
    </message>
    <message>
        <source>Training form prepared: %1&apos;s settings on %2 labelled rows captured by %3 (%4).</source>
        <translation>训练表单已准备好：%1 的设置，使用 %3 捕获的 %2 行带标签数据（%4）。</translation>
    </message>
    <message>
        <source>Labels of the captured rows</source>
        <translation>捕获行的标签</translation>
    </message>
    <message>
        <source>Monitoring %1: %2 violations (%3)</source>
        <translation>监控 %1：%2 项违规（%3）</translation>
    </message>
    <message>
        <source>Monitor</source>
        <translation>监控</translation>
    </message>
</context>
<context>
    <name>cairn::panels::MonitorTimeline</name>
    <message>
        <source>violations</source>
        <translation>违规</translation>
    </message>
    <message>
        <source>Violations</source>
        <translation>违规</translation>
    </message>
    <message>
        <source>No monitoring runs yet</source>
        <translation>还没有监控运行</translation>
    </message>
</context>
<context>
    <name>cairn::panels::ModelsPanel</name>
    <message>
        <source>Approved</source>
        <translation>已批准</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>Pending approval</source>
        <translation>待审批</translation>
    </message>
    <message>
        <source>Attributes</source>
        <translation>属性</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>批准</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <source>Set alias</source>
        <translation>设置别名</translation>
    </message>
    <message>
        <source>Remove alias</source>
        <translation>移除别名</translation>
    </message>
    <message>
        <source>Deploy…</source>
        <translation>部署…</translation>
    </message>
    <message>
        <source>Delete version</source>
        <translation>删除版本</translation>
    </message>
    <message>
        <source>Save card</source>
        <translation>保存卡片</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Only what differs</source>
        <translation>只显示不同之处</translation>
    </message>
    <message>
        <source>Register run…</source>
        <translation>注册运行…</translation>
    </message>
    <message>
        <source>Register the model of a run (training, the best tuning trial, the AutoML winner) as a new version</source>
        <translation>将某次运行的模型（训练、最佳调优试验、AutoML 胜出者）注册为新版本</translation>
    </message>
    <message>
        <source>Model / version</source>
        <translation>模型 / 版本</translation>
    </message>
    <message>
        <source>Approval</source>
        <translation>审批</translation>
    </message>
    <message>
        <source>Aliases</source>
        <translation>别名</translation>
    </message>
    <message>
        <source>Registered</source>
        <translation>注册时间</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>通道</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>SHA-256</source>
        <translation>SHA-256</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>路径</translation>
    </message>
    <message>
        <source>comment (why), kept in the trail</source>
        <translation>备注（原因），保存在审批记录中</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>By</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>alias, e.g. champion</source>
        <translation>别名（以字母开头）</translation>
    </message>
    <message>
        <source>Point the alias at this version (moving it from another one)</source>
        <translation>让别名指向此版本（从其他版本移过来）</translation>
    </message>
    <message>
        <source>Start an endpoint that serves this version</source>
        <translation>启动一个服务此版本的端点</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Intended use</source>
        <translation>预期用途</translation>
    </message>
    <message>
        <source>Training data</source>
        <translation>训练数据</translation>
    </message>
    <message>
        <source>Metrics</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>Limitations</source>
        <translation>局限性</translation>
    </message>
    <message>
        <source>Who should use the model, for what, and what it is not for</source>
        <translation>谁应使用此模型、用于什么、不适用于什么</translation>
    </message>
    <message>
        <source>What the data is, how it was collected and split (the channels and their hashes are added from the lineage)</source>
        <translation>数据是什么、如何收集和划分（通道及其哈希会从谱系中自动加入）</translation>
    </message>
    <message>
        <source>Notes on the metrics (the values are added from the lineage)</source>
        <translation>关于指标的说明（数值会从谱系中自动加入）</translation>
    </message>
    <message>
        <source>Known weaknesses, populations it was not tested on, risks</source>
        <translation>已知弱点、未测试过的人群、风险</translation>
    </message>
    <message>
        <source>Write the card with the lineage&apos;s facts as Markdown or JSON</source>
        <translation>将卡片连同谱系信息导出为 Markdown 或 JSON</translation>
    </message>
    <message>
        <source>Model card</source>
        <translation>模型卡片</translation>
    </message>
    <message>
        <source>Metric over versions</source>
        <translation>各版本的指标</translation>
    </message>
    <message>
        <source>version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>No version of this model has metrics</source>
        <translation>此模型的各版本都没有指标</translation>
    </message>
    <message>
        <source>Compare versions</source>
        <translation>比较版本</translation>
    </message>
    <message>
        <source>Endpoints</source>
        <translation>端点</translation>
    </message>
    <message>
        <source>Register a run&apos;s model</source>
        <translation>注册运行的模型</translation>
    </message>
    <message>
        <source>Run id (or its first characters):</source>
        <translation>运行 ID（或其开头几个字符）：</translation>
    </message>
    <message>
        <source>@%1 now points at %2</source>
        <translation>@%1 现在指向 %2</translation>
    </message>
    <message>
        <source>@%1 removed</source>
        <translation>已移除 @%1</translation>
    </message>
    <message>
        <source>Delete %1 with its files and aliases? This cannot be undone.</source>
        <translation>删除 %1 及其文件和别名？此操作无法撤销。</translation>
    </message>
    <message>
        <source>%1 deleted</source>
        <translation>已删除 %1</translation>
    </message>
    <message>
        <source>Export model card</source>
        <translation>导出模型卡片</translation>
    </message>
    <message>
        <source>Markdown (*.md);;JSON (*.json)</source>
        <translation>Markdown (*.md);;JSON (*.json)</translation>
    </message>
    <message numerus="yes">
        <source>%n version(s), latest %1</source>
        <translation>
            <numerusform>%n 个版本，最新为 %1</numerusform>
        </translation>
    </message>
    <message>
        <source>version %1</source>
        <translation>版本 %1</translation>
    </message>
    <message>
        <source>from run %1</source>
        <translation>来自运行 %1</translation>
    </message>
    <message>
        <source>&lt;p&gt;No registered model yet. Register a run&apos;s model with &lt;b&gt;Register run…&lt;/b&gt;, from the Experiments panel&apos;s run menu, from the AutoML results, or with &lt;tt&gt;cairn models register NAME --run RUN&lt;/tt&gt;.&lt;/p&gt;</source>
        <translation>&lt;p&gt;还没有已注册的模型。可用&lt;b&gt;注册运行…&lt;/b&gt;、实验面板的运行菜单或 AutoML 结果来注册运行的模型，也可以在命令行中注册。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Registered by %1 on %2%3%4%5</source>
        <translation>由 %1 于 %2 注册%3%4%5</translation>
    </message>
    <message>
        <source>; aliases %1</source>
        <translation>；别名 %1</translation>
    </message>
    <message>
        <source>; served by %1</source>
        <translation>；由 %1 服务</translation>
    </message>
    <message>
        <source>&lt;p&gt;From run &lt;a href=&apos;run:%1&apos;&gt;%2&lt;/a&gt; (%3) of experiment %4&lt;/p&gt;</source>
        <translation>&lt;p&gt;来自实验 %4 的运行 &lt;a href=&apos;run:%1&apos;&gt;%2&lt;/a&gt;（%3）&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;From the folder &lt;tt&gt;%1&lt;/tt&gt;&lt;/p&gt;</source>
        <translation>&lt;p&gt;来自文件夹 &lt;tt&gt;%1&lt;/tt&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Hyperparameters</source>
        <translation>超参数</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>&lt;p style=&apos;color:#d62728&apos;&gt;The version&apos;s files no longer match the SHA-256 recorded at registration.&lt;/p&gt;</source>
        <translation>&lt;p style=&apos;color:#d62728&apos;&gt;此版本的文件与注册时记录的 SHA-256 不再一致。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Last saved by %1 on %2</source>
        <translation>最后由 %1 于 %2 保存</translation>
    </message>
    <message>
        <source>Not written yet</source>
        <translation>尚未填写</translation>
    </message>
    <message>
        <source>Section</source>
        <translation>部分</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>键</translation>
    </message>
    <message>
        <source>v%1</source>
        <translation>v%1</translation>
    </message>
    <message>
        <source>%1 approved</source>
        <translation>已批准 %1</translation>
    </message>
    <message>
        <source>%1 rejected</source>
        <translation>已拒绝 %1</translation>
    </message>
    <message>
        <source>The card of %1 is saved</source>
        <translation>%1 的卡片已保存</translation>
    </message>
    <message>
        <source>Saved by %1</source>
        <translation>由 %1 保存</translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>The card of %1 is in %2</source>
        <translation>%1 的卡片已写入 %2</translation>
    </message>
    <message>
        <source>Register model</source>
        <translation>注册模型</translation>
    </message>
    <message>
        <source>Register the model of run %1 as a new version of (an existing or a new name):</source>
        <translation>将运行 %1 的模型注册为以下模型的新版本（已有或新名称）：</translation>
    </message>
    <message>
        <source>Registered %1 from run %2; it waits for approval</source>
        <translation>已从运行 %2 注册 %1，等待审批</translation>
    </message>
    <message>
        <source>Pick a port and press Start endpoint to serve %1</source>
        <translation>选择端口并点击“启动端点”来服务 %1</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
</context>
<context>
    <name>cairn::gui::HostChecklist</name>
    <message>
        <source>Where the work runs: tick this machine and any of your SSH hosts (add hosts in the Resources panel)</source>
        <translation>工作运行的位置：勾选本机以及任意几台 SSH 主机（在“资源”面板中添加主机）</translation>
    </message>
    <message>
        <source>%1 (not among your hosts)</source>
        <translation>%1（不在您的主机列表中）</translation>
    </message>
    <message>
        <source>local (this machine)</source>
        <translation>local（本机）</translation>
    </message>
    <message>
        <source>This machine</source>
        <translation>本机</translation>
    </message>
</context>
<context>
    <name>cairn::panels::SlurmClusterView</name>
    <message>
        <source>Partition</source>
        <translation>分区</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Nodes idle / total</source>
        <translation>空闲节点 / 总数</translation>
    </message>
    <message>
        <source>Nodes in use</source>
        <translation>使用中的节点</translation>
    </message>
    <message>
        <source>CPUs idle / total</source>
        <translation>空闲 CPU / 总数</translation>
    </message>
    <message>
        <source>GPUs in use / total</source>
        <translation>使用中的 GPU / 总数</translation>
    </message>
    <message>
        <source>Time limit</source>
        <translation>时间限制</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>节点</translation>
    </message>
    <message>
        <source>CPUs in use / total</source>
        <translation>使用中的 CPU / 总数</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>Partitions</source>
        <translation>分区</translation>
    </message>
    <message>
        <source>Job</source>
        <translation>作业</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Waiting for / nodes</source>
        <translation>等待原因 / 节点</translation>
    </message>
    <message>
        <source>CPUs</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>已运行</translation>
    </message>
    <message>
        <source>Limit</source>
        <translation>限制</translation>
    </message>
    <message>
        <source>Jobs submitted by Cairn are highlighted</source>
        <translation>Cairn 提交的作业以高亮显示</translation>
    </message>
    <message>
        <source>Asking Slurm on %1…</source>
        <translation>正在询问 %1 上的 Slurm…</translation>
    </message>
    <message>
        <source>Partitions: %1 · nodes: %2 (%3 idle) · GPUs in use: %4 of %5 · queue: %6 (%7 pending, %8 from Cairn)</source>
        <translation>分区：%1 · 节点：%2（%3 个空闲）· 使用中的 GPU：%4 / %5 · 队列：%6（%7 个等待中，%8 个来自 Cairn）</translation>
    </message>
    <message>
        <source>%1 (default)</source>
        <translation>%1（默认）</translation>
    </message>
    <message>
        <source>%1 GB</source>
        <translation>%1 GB</translation>
    </message>
    <message>
        <source>The queue is empty</source>
        <translation>队列为空</translation>
    </message>
</context>
</TS>
