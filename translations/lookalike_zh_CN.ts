<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ModelDownloadDialog</name>
    <message>
        <source>Download a Model</source>
        <translation>下载模型</translation>
    </message>
    <message>
        <source>Hugging Face repository</source>
        <translation>Hugging Face 仓库</translation>
    </message>
    <message>
        <source>Base &amp;URL:</source>
        <translation>基础 URL(&amp;U)：</translation>
    </message>
    <message>
        <source>The hub, or a mirror of it; only https, or http to this computer</source>
        <translation>Hub 或其镜像；仅限 https，或指向本机的 http</translation>
    </message>
    <message>
        <source>&amp;Repository:</source>
        <translation>仓库(&amp;R)：</translation>
    </message>
    <message>
        <source>organisation/name, e.g. google/siglip-so400m-patch14-384</source>
        <translation>组织/名称，例如 google/siglip-so400m-patch14-384</translation>
    </message>
    <message>
        <source>Access &amp;token:</source>
        <translation>访问令牌(&amp;T)：</translation>
    </message>
    <message>
        <source>Optional, for gated models; sent to the hub only</source>
        <translation>可选，用于受限模型；仅发送给 Hub</translation>
    </message>
    <message>
        <source>List of file URLs</source>
        <translation>文件 URL 列表</translation>
    </message>
    <message>
        <source>One &amp;URL per line, optionally followed by the file&apos;s SHA-256. Lines starting with # are comments.</source>
        <translation>每行一个 URL(&amp;U)，可在其后附上文件的 SHA-256。以 # 开头的行为注释。</translation>
    </message>
    <message>
        <source>Folder &amp;name:</source>
        <translation>文件夹名称(&amp;N)：</translation>
    </message>
    <message>
        <source>The model&apos;s folder in the models folder</source>
        <translation>模型在模型文件夹中的文件夹</translation>
    </message>
    <message>
        <source>A cancelled or interrupted download keeps what arrived: start the same download again to resume it. Files whose SHA-256 is known (given in the list, or stated by the hub) are checked. The model is loaded once to make sure it works.</source>
        <translation>已取消或中断的下载会保留已收到的部分：再次开始同一下载即可继续。已知 SHA-256（列表中给出或由 Hub 提供）的文件会被校验。模型会加载一次以确认其可用。</translation>
    </message>
    <message>
        <source>&amp;Download</source>
        <translation>下载(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Cancel Download</source>
        <translation>取消下载(&amp;C)</translation>
    </message>
</context>
<context>
    <name>ModelsDialog</name>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Add Model &amp;Folder…</source>
        <translation>添加模型文件夹(&amp;F)…</translation>
    </message>
    <message>
        <source>Add a Hugging Face CLIP or SigLIP folder (config.json, weights, tokenizer and preprocessor files); it is loaded once to check it, then copied into the models folder</source>
        <translation>添加 Hugging Face 的 CLIP 或 SigLIP 文件夹（config.json、权重、分词器和预处理文件）；先加载一次进行检查，然后复制到模型文件夹</translation>
    </message>
    <message>
        <source>Add &amp;TorchScript File…</source>
        <translation>添加 TorchScript 文件(&amp;T)…</translation>
    </message>
    <message>
        <source>Add an image encoder exported with TorchScript (a .pt file with its .json beside it)</source>
        <translation>添加用 TorchScript 导出的图像编码器（.pt 文件，旁边附有其 .json）</translation>
    </message>
    <message>
        <source>&amp;Download…</source>
        <translation>下载(&amp;D)…</translation>
    </message>
    <message>
        <source>Download a model from Hugging Face or from a list of file addresses</source>
        <translation>从 Hugging Face 或文件地址列表下载模型</translation>
    </message>
    <message>
        <source>&amp;Remove…</source>
        <translation>移除(&amp;R)…</translation>
    </message>
    <message>
        <source>Delete the selected model from the models folder</source>
        <translation>从模型文件夹中删除所选模型</translation>
    </message>
    <message>
        <source>Set as Defa&amp;ult</source>
        <translation>设为默认(&amp;U)</translation>
    </message>
    <message>
        <source>New collections use the selected model unless you choose another</source>
        <translation>除非另选，新图像集将使用所选模型</translation>
    </message>
</context>
<context>
    <name>NewCollectionDialog</name>
    <message>
        <source>New Collection</source>
        <translation>新建图像集</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>名称(&amp;N)：</translation>
    </message>
    <message>
        <source>&amp;Model:</source>
        <translation>模型(&amp;M)：</translation>
    </message>
    <message>
        <source>The model that turns the collection&apos;s images into vectors; it cannot be changed later</source>
        <translation>将图像集中的图像转换为向量的模型；之后无法更改</translation>
    </message>
</context>
<context>
    <name>ScoreText</name>
    <message>
        <source>text↔image cosine %1</source>
        <translation>文本↔图像余弦 %1</translation>
    </message>
    <message>
        <source>text↔report cosine %1</source>
        <translation>文本↔报告余弦 %1</translation>
    </message>
    <message>
        <source>report words %1</source>
        <translation>报告词语 %1</translation>
    </message>
    <message>
        <source>report words: no match</source>
        <translation>报告词语：无匹配</translation>
    </message>
    <message>
        <source>score = image similarity (cosine)</source>
        <translation>得分 = 图像相似度（余弦）</translation>
    </message>
    <message>
        <source>text↔image</source>
        <translation>文本↔图像</translation>
    </message>
    <message>
        <source>text↔report</source>
        <translation>文本↔报告</translation>
    </message>
    <message>
        <source>report words</source>
        <translation>报告词语</translation>
    </message>
    <message>
        <source>mean of %1</source>
        <translation>%1 的平均值</translation>
    </message>
    <message>
        <source>score = %1 × image + %2 × text</source>
        <translation>得分 = %1 × 图像 + %2 × 文本</translation>
    </message>
    <message>
        <source>(text = %1)</source>
        <translation>（文本 = %1）</translation>
    </message>
    <message>
        <source>score = %1</source>
        <translation>得分 = %1</translation>
    </message>
    <message>
        <source>score = text relevance (BM25, relative to the best match)</source>
        <translation>得分 = 文本相关度（BM25，相对于最佳匹配）</translation>
    </message>
    <message>
        <source>score = mean similarity to the nearest neighbours; lowest = most unusual</source>
        <translation>得分 = 与最近邻的平均相似度；最低 = 最不寻常</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>&amp;Library folder:</source>
        <translation>库文件夹(&amp;L)：</translation>
    </message>
    <message>
        <source>Where new collections are created unless you choose another place</source>
        <translation>新建图像集的默认位置（除非您另选位置）</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <source>Default &amp;model:</source>
        <translation>默认模型(&amp;M)：</translation>
    </message>
    <message>
        <source>The model new collections embed their images with</source>
        <translation>新建图像集用于嵌入图像的模型</translation>
    </message>
    <message>
        <source>&amp;Device:</source>
        <translation>设备(&amp;D)：</translation>
    </message>
    <message>
        <source>Where models run; Automatic uses the GPU when one is available</source>
        <translation>模型运行的位置；“自动”会在有 GPU 时使用 GPU</translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>CUDA (GPU)</source>
        <translation>CUDA (GPU)</translation>
    </message>
    <message>
        <source>&amp;Threads:</source>
        <translation>线程数(&amp;T)：</translation>
    </message>
    <message>
        <source>Thumbnail &amp;size:</source>
        <translation>缩略图大小(&amp;S)：</translation>
    </message>
    <message>
        <source>Longest edge of the thumbnails stored for images added from now on</source>
        <translation>今后添加的图像所存储缩略图的最长边</translation>
    </message>
    <message>
        <source> px</source>
        <translation> 像素</translation>
    </message>
    <message>
        <source>Thumbnail &amp;cache:</source>
        <translation>缩略图缓存(&amp;C)：</translation>
    </message>
    <message>
        <source>Memory kept for decoded thumbnails while browsing</source>
        <translation>浏览时为已解码缩略图保留的内存</translation>
    </message>
    <message>
        <source> MiB</source>
        <translation> MiB</translation>
    </message>
    <message>
        <source>Worker threads for adding images and for running models on the processor; Automatic uses one per processor core</source>
        <translation>添加图像以及在处理器上运行模型时使用的工作线程数；“自动”为每个处理器核心使用一个</translation>
    </message>
</context>
<context>
    <name>lookalike::CollectionSession</name>
    <message>
        <source>No collection is open.</source>
        <translation>没有打开的图像集。</translation>
    </message>
    <message>
        <source>Cannot add images: %1</source>
        <translation>无法添加图像：%1</translation>
    </message>
    <message>
        <source>Example images cannot be searched: the model %1 is not available (%2). Items of the collection and words can still be searched.</source>
        <translation>无法按示例图像搜索：模型 %1 不可用（%2）。仍可按图像集中的项目和词语搜索。</translation>
    </message>
    <message>
        <source>The model %1 is still loading; search by example images once it is ready. Items of the collection and words can be searched meanwhile.</source>
        <translation>模型 %1 仍在加载；加载完成后即可按示例图像搜索。在此期间可按图像集中的项目和词语搜索。</translation>
    </message>
</context>
<context>
    <name>lookalike::CollectionsPanel</name>
    <message>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>Create a collection in the library folder</source>
        <translation>在库文件夹中新建图像集</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Open a collection folder from anywhere</source>
        <translation>从任意位置打开图像集文件夹</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <source>Rename the selected collection</source>
        <translation>重命名所选图像集</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Delete the selected collection</source>
        <translation>删除所选图像集</translation>
    </message>
    <message>
        <source>Rename collection</source>
        <translation>重命名图像集</translation>
    </message>
    <message>
        <source>New name:</source>
        <translation>新名称：</translation>
    </message>
    <message>
        <source>Collections</source>
        <translation>图像集</translation>
    </message>
    <message>
        <source>cannot be opened</source>
        <translation>无法打开</translation>
    </message>
    <message numerus="yes">
        <source>%n item(s)</source>
        <translation>
            <numerusform>%n 项</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>lookalike::DetailsPanel</name>
    <message>
        <source>Fit</source>
        <translation>适应</translation>
    </message>
    <message>
        <source>Fit to window</source>
        <translation>适应窗口</translation>
    </message>
    <message>
        <source>1:1</source>
        <translation>1:1</translation>
    </message>
    <message>
        <source>Original size</source>
        <translation>原始大小</translation>
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
        <source>Find similar</source>
        <translation>查找相似</translation>
    </message>
    <message>
        <source>Search for images that look like this one</source>
        <translation>搜索与此图像相似的图像</translation>
    </message>
    <message>
        <source>Add to query</source>
        <translation>加入查询</translation>
    </message>
    <message>
        <source>Use this image as a further example in the query</source>
        <translation>将此图像作为查询中的另一个示例</translation>
    </message>
    <message>
        <source>Exclude</source>
        <translation>排除</translation>
    </message>
    <message>
        <source>Add this image to the query as a negative example</source>
        <translation>将此图像作为反例加入查询</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Open the file in the default application</source>
        <translation>用默认应用程序打开文件</translation>
    </message>
    <message>
        <source>Show in folder</source>
        <translation>在文件夹中显示</translation>
    </message>
    <message>
        <source>Show the file in the file manager</source>
        <translation>在文件管理器中显示文件</translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation>移除…</translation>
    </message>
    <message>
        <source>Remove this item from the collection (the file stays on disk)</source>
        <translation>从图像集中移除此项（文件仍保留在磁盘上）</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>报告</translation>
    </message>
    <message>
        <source>Metadata</source>
        <translation>元数据</translation>
    </message>
    <message>
        <source>unknown format</source>
        <translation>未知格式</translation>
    </message>
    <message>
        <source>%1 × %2 pixels, %3, %4</source>
        <translation>%1 × %2 像素，%3，%4</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1，%2</translation>
    </message>
    <message>
        <source>Score %1 (image %2, text %3)</source>
        <translation>得分 %1（图像 %2，文本 %3）</translation>
    </message>
    <message>
        <source>no match</source>
        <translation>无匹配</translation>
    </message>
    <message>
        <source>Not from a search</source>
        <translation>非搜索结果</translation>
    </message>
    <message>
        <source>No report</source>
        <translation>无报告</translation>
    </message>
    <message>
        <source>No item selected</source>
        <translation>未选择项目</translation>
    </message>
    <message>
        <source>%1%</source>
        <translation>%1%</translation>
    </message>
    <message>
        <source>Text: %1</source>
        <translation>文本：%1</translation>
    </message>
</context>
<context>
    <name>lookalike::DuplicatesDialog</name>
    <message>
        <source>Not a duplicate</source>
        <translation>不是重复项</translation>
    </message>
    <message>
        <source>Remove from collection…</source>
        <translation>从图像集中移除…</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Near-Duplicates</source>
        <translation>近似重复项</translation>
    </message>
    <message>
        <source>Pairs at least this similar count as near-duplicates</source>
        <translation>相似度不低于此值的图像对视为近似重复项</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>Remember that the selected images are not duplicates of each other (a single image: of the rest of its group)</source>
        <translation>记住所选图像彼此不是重复项（若只选一张图像：它与组内其余图像不是重复项）</translation>
    </message>
    <message>
        <source>Remove the selected images from the collection; the files stay on disk</source>
        <translation>从图像集中移除所选图像；文件仍保留在磁盘上</translation>
    </message>
    <message>
        <source>Export the selected images</source>
        <translation>导出所选图像</translation>
    </message>
    <message>
        <source>&amp;Threshold:</source>
        <translation>阈值(&amp;T)：</translation>
    </message>
    <message>
        <source>Finding near-duplicates…</source>
        <translation>正在查找近似重复项…</translation>
    </message>
    <message>
        <source>No collection is open.</source>
        <translation>没有打开的图像集。</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Could not find near-duplicates: %1</source>
        <translation>无法查找近似重复项：%1</translation>
    </message>
    <message>
        <source>No near-duplicates at or above %1.</source>
        <translation>没有相似度不低于 %1 的近似重复项。</translation>
    </message>
    <message numerus="yes">
        <source>%n group(s) of near-duplicates, %1 images in all.</source>
        <translation>
            <numerusform>%n 组近似重复项，共 %1 张图像。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Group %1 — %n image(s), similarity up to %2</source>
        <translation>
            <numerusform>第 %1 组 — %n 张图像，相似度最高 %2</numerusform>
        </translation>
    </message>
    <message>
        <source>Item %1</source>
        <translation>项目 %1</translation>
    </message>
    <message>
        <source>Remove from Collection</source>
        <translation>从图像集中移除</translation>
    </message>
    <message numerus="yes">
        <source>Remove %n image(s) from the collection? The files stay on disk.</source>
        <translation>
            <numerusform>要从图像集中移除 %n 张图像吗？文件仍保留在磁盘上。</numerusform>
        </translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Only &amp;leaks across folders</source>
        <translation>仅跨文件夹的泄漏(&amp;L)</translation>
    </message>
    <message>
        <source>Only groups whose images lie in different folders below the one that holds every file of the collection, such as the same image in train/ and in test/</source>
        <translation>仅显示图像位于不同文件夹（在包含集合所有文件的文件夹之下）的组，例如同一图像同时在 train/ 和 test/ 中</translation>
    </message>
    <message>
        <source>No near-duplicates across folders at or above %1.</source>
        <translation>没有相似度不低于 %1 的跨文件夹近似重复项。</translation>
    </message>
    <message numerus="yes">
        <source>%n group(s) of near-duplicates across folders, %1 images in all.</source>
        <translation>
            <numerusform>%n 组跨文件夹的近似重复项，共 %1 张图像。</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 — in %2</source>
        <translation>%1 — 位于 %2</translation>
    </message>
</context>
<context>
    <name>lookalike::ErrorsDialog</name>
    <message>
        <source>Files not added</source>
        <translation>未添加的文件</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy all</source>
        <translation>全部复制</translation>
    </message>
    <message>
        <source>Reading</source>
        <translation>读取</translation>
    </message>
    <message>
        <source>Decoding</source>
        <translation>解码</translation>
    </message>
    <message>
        <source>Embedding</source>
        <translation>嵌入</translation>
    </message>
    <message>
        <source>Writing</source>
        <translation>写入</translation>
    </message>
    <message>
        <source>Finding files</source>
        <translation>查找文件</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) could not be added</source>
        <translation>
            <numerusform>%n 个文件无法添加</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>lookalike::HistogramWidget</name>
    <message>
        <source>Drag the marker, or use the arrow keys, to set the similarity threshold</source>
        <translation>拖动标记或使用方向键来设置相似度阈值</translation>
    </message>
    <message numerus="yes">
        <source>%n pair(s) at or above %1</source>
        <translation>
            <numerusform>相似度不低于 %1 的有 %n 对</numerusform>
        </translation>
    </message>
    <message>
        <source>log scale</source>
        <translation>对数刻度</translation>
    </message>
</context>
<context>
    <name>lookalike::IngestStatusWidget</name>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop adding; what was added so far is kept</source>
        <translation>停止添加；已添加的内容会保留</translation>
    </message>
    <message>
        <source>Stopping after the files in progress…</source>
        <translation>正在处理的文件完成后停止…</translation>
    </message>
    <message>
        <source>Adding %1 files…</source>
        <translation>正在添加 %1 个文件…</translation>
    </message>
    <message>
        <source>Looking for images…</source>
        <translation>正在查找图像…</translation>
    </message>
    <message>
        <source>Adding %1 / %2 · %3 images/s · %4 left</source>
        <translation>正在添加 %1 / %2 · %3 张/秒 · 剩余 %4</translation>
    </message>
    <message numerus="yes">
        <source>%n failed</source>
        <translation>
            <numerusform>%n 个失败</numerusform>
        </translation>
    </message>
    <message>
        <source>Stopped: %1 added, %2 updated, %3 unchanged</source>
        <translation>已停止：添加 %1 个，更新 %2 个，%3 个未变</translation>
    </message>
    <message>
        <source>Done: %1 added, %2 updated, %3 unchanged</source>
        <translation>完成：添加 %1 个，更新 %2 个，%3 个未变</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) gone from disk</source>
        <translation>
            <numerusform>%n 个文件已从磁盘上消失</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n error(s)</source>
        <translation>
            <numerusform>%n 个错误</numerusform>
        </translation>
    </message>
    <message>
        <source>Adding failed: %1</source>
        <translation>添加失败：%1</translation>
    </message>
    <message>
        <source>Downloading %1 / %2 links</source>
        <translation>正在下载链接 %1 / %2</translation>
    </message>
</context>
<context>
    <name>lookalike::MainWindow</name>
    <message>
        <source>Images (*.jpg *.jpeg *.png *.bmp *.gif *.tif *.tiff *.webp *.svg);;All files (*)</source>
        <translation>图像 (*.jpg *.jpeg *.png *.bmp *.gif *.tif *.tiff *.webp *.svg);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Search failed: %1</source>
        <translation>搜索失败：%1</translation>
    </message>
    <message>
        <source>Choose example images</source>
        <translation>选择示例图像</translation>
    </message>
    <message>
        <source>%1 cannot be used as an example: %2</source>
        <translation>%1 无法用作示例：%2</translation>
    </message>
    <message>
        <source>&amp;New Collection…</source>
        <translation>新建图像集(&amp;N)…</translation>
    </message>
    <message>
        <source>&amp;Open Collection Folder…</source>
        <translation>打开图像集文件夹(&amp;O)…</translation>
    </message>
    <message>
        <source>Open a collection folder</source>
        <translation>打开图像集文件夹</translation>
    </message>
    <message>
        <source>&amp;Import Folder…</source>
        <translation>导入文件夹(&amp;I)…</translation>
    </message>
    <message>
        <source>Ctrl+I</source>
        <translation>Ctrl+I</translation>
    </message>
    <message>
        <source>Add &amp;Files…</source>
        <translation>添加文件(&amp;F)…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Find</source>
        <translation>查找(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Search</source>
        <translation>搜索(&amp;S)</translation>
    </message>
    <message>
        <source>Ctrl+Return</source>
        <translation>Ctrl+Return</translation>
    </message>
    <message>
        <source>Ctrl+Enter</source>
        <translation>Ctrl+Enter</translation>
    </message>
    <message>
        <source>&amp;Browse All Items</source>
        <translation>浏览所有项目(&amp;B)</translation>
    </message>
    <message>
        <source>Ctrl+Shift+A</source>
        <translation>Ctrl+Shift+A</translation>
    </message>
    <message>
        <source>&amp;Paste Image as Query</source>
        <translation>粘贴图像作为查询(&amp;P)</translation>
    </message>
    <message>
        <source>Ctrl+Shift+V</source>
        <translation>Ctrl+Shift+V</translation>
    </message>
    <message>
        <source>Find &amp;Similar</source>
        <translation>查找相似(&amp;S)</translation>
    </message>
    <message>
        <source>Ctrl+Shift+F</source>
        <translation>Ctrl+Shift+F</translation>
    </message>
    <message>
        <source>&amp;Add to Query</source>
        <translation>加入查询(&amp;A)</translation>
    </message>
    <message>
        <source>Add as &amp;Negative</source>
        <translation>作为反例加入(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Open</source>
        <translation>打开(&amp;O)</translation>
    </message>
    <message>
        <source>Ctrl+Shift+O</source>
        <translation>Ctrl+Shift+O</translation>
    </message>
    <message>
        <source>Show in &amp;Folder</source>
        <translation>在文件夹中显示(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Copy Path</source>
        <translation>复制路径(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Remove from Collection…</source>
        <translation>从图像集中移除(&amp;R)…</translation>
    </message>
    <message>
        <source>&amp;Export Selected…</source>
        <translation>导出所选(&amp;E)…</translation>
    </message>
    <message>
        <source>Export All &amp;Results…</source>
        <translation>导出所有结果(&amp;R)…</translation>
    </message>
    <message>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <source>Find &amp;Duplicates…</source>
        <translation>查找重复项(&amp;D)…</translation>
    </message>
    <message>
        <source>Ctrl+D</source>
        <translation>Ctrl+D</translation>
    </message>
    <message>
        <source>Ingest &amp;Errors…</source>
        <translation>添加错误(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Larger Thumbnails</source>
        <translation>放大缩略图(&amp;L)</translation>
    </message>
    <message>
        <source>S&amp;maller Thumbnails</source>
        <translation>缩小缩略图(&amp;M)</translation>
    </message>
    <message>
        <source>&amp;About Lookalike</source>
        <translation>关于 Lookalike(&amp;A)</translation>
    </message>
    <message>
        <source>About Lookalike</source>
        <translation>关于 Lookalike</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Lookalike %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;Find similar images in local collections.&lt;/p&gt;&lt;p&gt;Everything stays on this computer: images, reports and searches are never sent anywhere unless you add images from a web address.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Lookalike %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;在本地图像集中查找相似图像。&lt;/p&gt;&lt;p&gt;所有数据都保留在这台计算机上：除非您从网址添加图像，否则图像、报告和搜索内容绝不会被发送到任何地方。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Item</source>
        <translation>项目(&amp;I)</translation>
    </message>
    <message>
        <source>&amp;Collection</source>
        <translation>图像集(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Quit Lookalike</source>
        <translation>退出 Lookalike</translation>
    </message>
    <message>
        <source>Images are still being added. Stop and quit? What was added so far is kept.</source>
        <translation>仍在添加图像。要停止并退出吗？已添加的内容会保留。</translation>
    </message>
    <message>
        <source>Open collection</source>
        <translation>打开图像集</translation>
    </message>
    <message>
        <source>Images are still being added to this collection. Stop adding and switch?</source>
        <translation>仍在向此图像集添加图像。要停止添加并切换吗？</translation>
    </message>
    <message>
        <source>Cannot open collection</source>
        <translation>无法打开图像集</translation>
    </message>
    <message>
        <source>Describe what you are looking for, or words in the reports</source>
        <translation>描述您要查找的内容，或输入报告中的词语</translation>
    </message>
    <message>
        <source>Words to find in the reports</source>
        <translation>要在报告中查找的词语</translation>
    </message>
    <message numerus="yes">
        <source>%n item(s)</source>
        <translation>
            <numerusform>%n 项</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 — Lookalike</source>
        <translation>%1 — Lookalike</translation>
    </message>
    <message>
        <source>Lookalike</source>
        <translation>Lookalike</translation>
    </message>
    <message>
        <source>Filters narrow a search: add words or example images.</source>
        <translation>筛选条件用于缩小搜索范围：请添加词语或示例图像。</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>正在搜索…</translation>
    </message>
    <message numerus="yes">
        <source>%n result(s)</source>
        <translation>
            <numerusform>%n 个结果</numerusform>
        </translation>
    </message>
    <message>
        <source>of %1 matches</source>
        <translation>（共 %1 个匹配）</translation>
    </message>
    <message>
        <source>approximate index</source>
        <translation>近似索引</translation>
    </message>
    <message numerus="yes">
        <source>Copied %n path(s)</source>
        <translation>
            <numerusform>已复制 %n 个路径</numerusform>
        </translation>
    </message>
    <message>
        <source>Remove from collection</source>
        <translation>从图像集中移除</translation>
    </message>
    <message numerus="yes">
        <source>Remove %n item(s) from the collection? The files on disk are not touched.</source>
        <translation>
            <numerusform>要从图像集中移除 %n 项吗？磁盘上的文件不会受影响。</numerusform>
        </translation>
    </message>
    <message>
        <source>Cannot remove items</source>
        <translation>无法移除项目</translation>
    </message>
    <message numerus="yes">
        <source>Removed %n item(s)</source>
        <translation>
            <numerusform>已移除 %n 项</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Export %n image(s) to</source>
        <translation>
            <numerusform>将 %n 张图像导出到</numerusform>
        </translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message numerus="yes">
        <source>Exported %n file(s) and results.csv to %1</source>
        <translation>
            <numerusform>已将 %n 个文件和 results.csv 导出到 %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Files that could not be exported</source>
        <translation>无法导出的文件</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <source>My images</source>
        <translation>我的图像</translation>
    </message>
    <message>
        <source>Model %1 is not available (%2); using %3.</source>
        <translation>模型 %1 不可用（%2）；改用 %3。</translation>
    </message>
    <message>
        <source>Cannot create collection</source>
        <translation>无法创建图像集</translation>
    </message>
    <message>
        <source>Delete collection</source>
        <translation>删除图像集</translation>
    </message>
    <message>
        <source>Delete the collection in %1? Its index, thumbnails and reports are deleted; the original image files are not touched.</source>
        <translation>要删除 %1 中的图像集吗？其索引、缩略图和报告将被删除；原始图像文件不受影响。</translation>
    </message>
    <message>
        <source>Cannot delete collection</source>
        <translation>无法删除图像集</translation>
    </message>
    <message>
        <source>Cannot rename collection</source>
        <translation>无法重命名图像集</translation>
    </message>
    <message>
        <source>Import a folder of images</source>
        <translation>导入图像文件夹</translation>
    </message>
    <message>
        <source>Add images</source>
        <translation>添加图像</translation>
    </message>
    <message>
        <source>Not added (only files, folders and http/https links can be added): %1</source>
        <translation>未添加（只能添加文件、文件夹和 http/https 链接）：%1</translation>
    </message>
    <message>
        <source>No collection open</source>
        <translation>未打开图像集</translation>
    </message>
    <message>
        <source>Create a new collection for these images?</source>
        <translation>要为这些图像新建图像集吗？</translation>
    </message>
    <message>
        <source>The dropped image could not be saved into the collection.</source>
        <translation>无法将拖放的图像保存到图像集中。</translation>
    </message>
    <message>
        <source>The clipboard holds no image.</source>
        <translation>剪贴板中没有图像。</translation>
    </message>
    <message>
        <source>Pasted image</source>
        <translation>粘贴的图像</translation>
    </message>
    <message>
        <source>No demo images</source>
        <translation>没有演示图像</translation>
    </message>
    <message>
        <source>The demo indexes the photos of the plasma-workspace-wallpapers package, which is not installed. Drop a folder of your own images onto the window instead.</source>
        <translation>演示会为 plasma-workspace-wallpapers 软件包中的照片建立索引，但该软件包未安装。请改为将您自己的图像文件夹拖放到窗口上。</translation>
    </message>
    <message>
        <source>Demo</source>
        <translation>演示</translation>
    </message>
    <message>
        <source>Ctrl+K</source>
        <translation>Ctrl+K</translation>
    </message>
    <message>
        <source>Ctrl+Shift+K</source>
        <translation>Ctrl+Shift+K</translation>
    </message>
    <message>
        <source>no report contains all the words; showing reports that contain any of them</source>
        <translation>没有报告包含所有词语；显示包含其中任一词语的报告</translation>
    </message>
    <message>
        <source>Loading the model %1…</source>
        <translation>正在加载模型 %1…</translation>
    </message>
    <message>
        <source>The model %1 is ready.</source>
        <translation>模型 %1 已就绪。</translation>
    </message>
    <message>
        <source>The model %1 is not available (%2). The collection can still be browsed and searched by its items and by words.</source>
        <translation>模型 %1 不可用（%2）。仍可浏览该图像集，并按其项目和词语搜索。</translation>
    </message>
    <message>
        <source>&amp;Models…</source>
        <translation>模型(&amp;M)…</translation>
    </message>
    <message>
        <source>The images are added once the model %1 has loaded.</source>
        <translation>模型 %1 加载完成后将添加这些图像。</translation>
    </message>
    <message>
        <source>The new device applies to models loaded from now on; open the collection again to move its model.</source>
        <translation>新设备仅适用于此后加载的模型；重新打开图像集即可将其模型迁移过去。</translation>
    </message>
    <message>
        <source>Add from &amp;URLs…</source>
        <translation>从网址添加(&amp;U)…</translation>
    </message>
    <message>
        <source>Add from URLs</source>
        <translation>从网址添加</translation>
    </message>
    <message>
        <source>Links to images, one a line (http or https). Each image is downloaded into the collection, so it stays available offline.</source>
        <translation>图像链接，每行一个（http 或 https）。每张图像都会下载到集合中，离线时也可使用。</translation>
    </message>
    <message>
        <source>Find &amp;Outliers</source>
        <translation>查找离群图像(&amp;O)</translation>
    </message>
    <message>
        <source>Finding outliers…</source>
        <translation>正在查找离群图像…</translation>
    </message>
    <message numerus="yes">
        <source>%n outlier(s): the images least like their %1 nearest neighbours, most unusual first</source>
        <translation>
            <numerusform>%n 张离群图像：与其 %1 个最近邻最不相似的图像，最不寻常的排在最前</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>lookalike::ModelDownloadDialog</name>
    <message>
        <source>Default: the repository&apos;s name</source>
        <translation>默认：仓库名称</translation>
    </message>
    <message>
        <source>https://example.org/my-model/config.json
https://example.org/my-model/model.safetensors  &lt;SHA-256&gt;</source>
        <translation>https://example.org/my-model/config.json
https://example.org/my-model/model.safetensors  &lt;SHA-256&gt;</translation>
    </message>
    <message>
        <source>Not started</source>
        <translation>未开始</translation>
    </message>
    <message>
        <source>Required</source>
        <translation>必填</translation>
    </message>
    <message>
        <source>Enter the repository as organisation/name, for example google/siglip-base-patch16-224.</source>
        <translation>请以“组织/名称”的形式输入仓库，例如 google/siglip-base-patch16-224。</translation>
    </message>
    <message>
        <source>The list cannot be used: %1</source>
        <translation>无法使用该列表：%1</translation>
    </message>
    <message>
        <source>Enter a folder name for the files of the list.</source>
        <translation>请为列表中的文件输入文件夹名称。</translation>
    </message>
    <message>
        <source>Checking that the model loads…</source>
        <translation>正在检查模型能否加载…</translation>
    </message>
    <message>
        <source>the files arrived in %1, but they do not load as a model: %2</source>
        <translation>文件已下载到 %1，但无法作为模型加载：%2</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>%1: %2 of %3</source>
        <translation>%1：%2 / %3</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>File %1 of %2, %3 in all</source>
        <translation>第 %1 个文件，共 %2 个，总计 %3</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s), %1 in all</source>
        <translation>
            <numerusform>%n 个文件，总计 %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message numerus="yes">
        <source>Installed %1 (%2, %n dimension(s), %3).</source>
        <translation>
            <numerusform>已安装 %1（%2，%n 维，%3）。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) matched their SHA-256.</source>
        <translation>
            <numerusform>%n 个文件与其 SHA-256 一致。</numerusform>
        </translation>
    </message>
    <message>
        <source>Resumed: %1 of it had arrived before.</source>
        <translation>已继续下载：其中 %1 此前已下载。</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Cancelled. What arrived is kept: start the same download again to resume it.</source>
        <translation>已取消。已下载的部分会保留：再次开始同一下载即可继续。</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>The download failed: %1</source>
        <translation>下载失败：%1</translation>
    </message>
    <message>
        <source>Start it again to resume.</source>
        <translation>再次开始即可继续。</translation>
    </message>
</context>
<context>
    <name>lookalike::ModelListModel</name>
    <message>
        <source>Classic</source>
        <translation>经典</translation>
    </message>
    <message>
        <source>Classic (built in)</source>
        <translation>经典（内置）</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message numerus="yes">
        <source>%1 — %2, %n dimension(s)</source>
        <translation>
            <numerusform>%1 — %2，%n 维</numerusform>
        </translation>
    </message>
    <message>
        <source>Built into Lookalike</source>
        <translation>Lookalike 内置</translation>
    </message>
    <message>
        <source>Model id: %1</source>
        <translation>模型标识：%1</translation>
    </message>
    <message>
        <source>The default model for new collections</source>
        <translation>新图像集的默认模型</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>built in</source>
        <translation>内置</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Family</source>
        <translation>系列</translation>
    </message>
    <message>
        <source>Dimensions</source>
        <translation>维度</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Text search</source>
        <translation>文本搜索</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>自动</translation>
    </message>
</context>
<context>
    <name>lookalike::ModelsDialog</name>
    <message>
        <source>Models folder: %1</source>
        <translation>模型文件夹：%1</translation>
    </message>
    <message>
        <source>Choose a model folder</source>
        <translation>选择模型文件夹</translation>
    </message>
    <message>
        <source>Choose a TorchScript image encoder</source>
        <translation>选择 TorchScript 图像编码器</translation>
    </message>
    <message>
        <source>TorchScript modules (*.pt);;All files (*)</source>
        <translation>TorchScript 模块 (*.pt);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Loading %1 to check it, then copying it into the models folder…</source>
        <translation>正在加载 %1 进行检查，然后将其复制到模型文件夹…</translation>
    </message>
    <message>
        <source>Cannot add the model</source>
        <translation>无法添加模型</translation>
    </message>
    <message>
        <source>%1 cannot be added: %2</source>
        <translation>无法添加 %1：%2</translation>
    </message>
    <message>
        <source>Added %1.</source>
        <translation>已添加 %1。</translation>
    </message>
    <message>
        <source>Remove model</source>
        <translation>移除模型</translation>
    </message>
    <message>
        <source>Delete the model %1 (%2) from the models folder? Collections made with it can still be browsed and searched by words, but adding images and searching by example images need it installed again.</source>
        <translation>要从模型文件夹中删除模型 %1（%2）吗？用它创建的图像集仍可浏览并按词语搜索，但添加图像和按示例图像搜索需要重新安装该模型。</translation>
    </message>
    <message>
        <source>Cannot remove the model</source>
        <translation>无法移除模型</translation>
    </message>
    <message>
        <source>Removed %1.</source>
        <translation>已移除 %1。</translation>
    </message>
</context>
<context>
    <name>lookalike::NewCollectionDialog</name>
    <message>
        <source>Finds images by example images and by describing them in words.</source>
        <translation>可按示例图像以及用文字描述来查找图像。</translation>
    </message>
    <message>
        <source>Finds images by example images, and by words in their reports.</source>
        <translation>可按示例图像以及报告中的词语来查找图像。</translation>
    </message>
</context>
<context>
    <name>lookalike::QueryBar</name>
    <message>
        <source>A filter must look like key=value: &quot;%1&quot;</source>
        <translation>筛选条件必须形如 键=值：“%1”</translation>
    </message>
    <message>
        <source>Words to find in the reports</source>
        <translation>要在报告中查找的词语</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <source>Search (Ctrl+Enter)</source>
        <translation>搜索 (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <source>Clear the query and browse the whole collection</source>
        <translation>清除查询并浏览整个图像集</translation>
    </message>
    <message>
        <source>Drop, paste or browse example images here</source>
        <translation>在此拖放、粘贴或浏览选择示例图像</translation>
    </message>
    <message>
        <source>Image…</source>
        <translation>图像…</translation>
    </message>
    <message>
        <source>Choose an example image</source>
        <translation>选择一张示例图像</translation>
    </message>
    <message>
        <source>How much the image part counts against the text part when a query has both</source>
        <translation>查询同时包含图像和文本时，图像部分相对文本部分的权重</translation>
    </message>
    <message>
        <source>Image %1% · Text %2%</source>
        <translation>图像 %1% · 文本 %2%</translation>
    </message>
    <message>
        <source>Top </source>
        <translation>前 </translation>
    </message>
    <message>
        <source>Number of results</source>
        <translation>结果数量</translation>
    </message>
    <message>
        <source>Min. score</source>
        <translation>最低得分</translation>
    </message>
    <message>
        <source>Filters: key=value; key=value</source>
        <translation>筛选条件：键=值; 键=值</translation>
    </message>
    <message>
        <source>Negative example: results should not look like this. Click to make it positive.</source>
        <translation>反例：结果不应与此相似。单击可改为正例。</translation>
    </message>
    <message>
        <source>Positive example: results should look like this. Click to make it negative.</source>
        <translation>正例：结果应与此相似。单击可改为反例。</translation>
    </message>
    <message>
        <source>Remove this example</source>
        <translation>移除此示例</translation>
    </message>
    <message>
        <source>Item %1</source>
        <translation>项目 %1</translation>
    </message>
    <message>
        <source>Dropped image</source>
        <translation>拖放的图像</translation>
    </message>
</context>
<context>
    <name>lookalike::ResultsModel</name>
    <message>
        <source>%1 × %2 px, %3</source>
        <translation>%1 × %2 像素，%3</translation>
    </message>
    <message>
        <source>Score %1 (image %2, text %3)</source>
        <translation>得分 %1（图像 %2，文本 %3）</translation>
    </message>
    <message>
        <source>Text: %1</source>
        <translation>文本：%1</translation>
    </message>
</context>
<context>
    <name>lookalike::SettingsDialog</name>
    <message>
        <source>Enter the folder where new collections are created.</source>
        <translation>请输入新建图像集所在的文件夹。</translation>
    </message>
    <message>
        <source>The library folder must be an absolute path, such as %1.</source>
        <translation>库文件夹必须是绝对路径，例如 %1。</translation>
    </message>
    <message>
        <source>“%1” is a file, not a folder.</source>
        <translation>“%1”是文件，不是文件夹。</translation>
    </message>
    <message>
        <source>The folder “%1” cannot be created. Choose a folder you can write to.</source>
        <translation>无法创建文件夹“%1”。请选择一个您有写入权限的文件夹。</translation>
    </message>
    <message>
        <source>The folder “%1” is not writable. Choose a folder you can write to.</source>
        <translation>文件夹“%1”不可写。请选择一个您有写入权限的文件夹。</translation>
    </message>
    <message>
        <source>Library Folder</source>
        <translation>库文件夹</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Find similar images in local collections.</source>
        <translation>在本地图像集中查找相似图像。</translation>
    </message>
    <message>
        <source>A collection folder to open, or images and folders to add to the collection opened last.</source>
        <translation>要打开的图像集文件夹，或要添加到上次打开的图像集中的图像和文件夹。</translation>
    </message>
    <message>
        <source>Save a picture of the window to FILE once it has settled, then quit.</source>
        <translation>窗口稳定后将其截图保存到 FILE，然后退出。</translation>
    </message>
    <message>
        <source>Open the demo collection, built from the photos of Debian&apos;s plasma-workspace-wallpapers package, and search by one of them.</source>
        <translation>打开演示图像集（由 Debian 的 plasma-workspace-wallpapers 软件包中的照片构建），并以其中一张进行搜索。</translation>
    </message>
</context>
</TS>
