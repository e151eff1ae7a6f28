using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx;

/// <summary>
/// A loaded ONNX model: its main <see cref="Graph"/>, the operator sets it imports and its
/// producer metadata. Local functions, training info and fields this version does not model
/// are kept and written back unchanged. Load with <see cref="OnnxModelLoader"/>, save with
/// <see cref="OnnxModelWriter"/>.
/// </summary>
public sealed class OnnxModel
{
    private readonly ModelProto _template;

    /// <summary>Creates a model around <paramref name="graph"/> importing the given operator sets.</summary>
    /// <param name="graph">The main graph.</param>
    /// <param name="opsets">Operator sets, e.g. <c>new OpsetImport("", 17)</c>.</param>
    /// <param name="irVersion">The ONNX IR version; 8 suits opsets up to 17.</param>
    public OnnxModel(OnnxGraph graph, IEnumerable<OpsetImport> opsets, long irVersion = 8)
    {
        _template = new ModelProto();
        Graph = graph;
        OpsetImports = opsets.ToList();
        IrVersion = irVersion;
        ProducerName = "";
        ProducerVersion = "";
    }

    internal OnnxModel(ModelProto proto, string? sourcePath, long? externalDataBytes = null)
    {
        var graph = proto.Graph;
        proto.Graph = null; // the template keeps the rest: copying the graph only to drop it doubled a large model's peak
        try
        {
            _template = ProtoFields.CloneWithout(proto, proto.OpsetImport);
        }
        finally
        {
            proto.Graph = graph;
        }

        Graph = new OnnxGraph(proto.Graph);
        OpsetImports = proto.OpsetImport.Select(o => new OpsetImport(o)).ToList();
        IrVersion = proto.IrVersion;
        ProducerName = proto.ProducerName;
        ProducerVersion = proto.ProducerVersion;
        SourcePath = sourcePath;
        ExternalDataBytes = externalDataBytes;
    }

    /// <summary>The main graph.</summary>
    public OnnxGraph Graph { get; set; }

    /// <summary>The operator sets the model imports.</summary>
    public List<OpsetImport> OpsetImports { get; }

    /// <summary>The ONNX IR version.</summary>
    public long IrVersion { get; set; }

    /// <summary>The tool that wrote the model.</summary>
    public string ProducerName { get; set; }

    /// <summary>That tool's version.</summary>
    public string ProducerVersion { get; set; }

    /// <summary>The file the model was loaded from, or null.</summary>
    public string? SourcePath { get; }

    /// <summary>
    /// True when the model (or the one it was cloned from) took tensors from external-data files: saving it
    /// writes external data too (<see cref="ExternalDataMode.Auto"/>).
    /// </summary>
    public bool LoadedWithExternalData => ExternalDataBytes is not null;

    /// <summary>The bytes the model's tensors took from external-data files when it was loaded, or null when it had none.</summary>
    public long? ExternalDataBytes { get; }

    /// <summary>The number of model-local functions (kept unchanged).</summary>
    public int LocalFunctionCount => _template.Functions.Count;

    /// <summary>The imported version of <paramref name="domain"/> (empty or <c>ai.onnx</c> for standard ONNX), or null.</summary>
    public long? GetOpsetVersion(string domain)
    {
        var isDefault = domain.Length == 0 || domain == "ai.onnx";
        return OpsetImports.FirstOrDefault(o => isDefault ? o.IsDefaultDomain : o.Domain == domain)?.Version;
    }

    /// <summary>Sets the imported version of <paramref name="domain"/>, adding the import if missing.</summary>
    public void SetOpsetVersion(string domain, long version)
    {
        var isDefault = domain.Length == 0 || domain == "ai.onnx";
        var existing = OpsetImports.FirstOrDefault(o => isDefault ? o.IsDefaultDomain : o.Domain == domain);
        if (existing is null)
        {
            OpsetImports.Add(new OpsetImport(domain, version));
        }
        else
        {
            existing.Version = version;
        }
    }

    /// <summary>A deep copy; changing it leaves this model as it is.</summary>
    public OnnxModel Clone() => new(ToProto().Clone(), SourcePath, ExternalDataBytes);

    internal ModelProto ToProto()
    {
        var proto = _template.Clone();
        ProtoFields.SetIfChanged(proto.IrVersion, IrVersion, v => proto.IrVersion = v);
        ProtoFields.SetIfChanged(proto.ProducerName, ProducerName, v => proto.ProducerName = v);
        ProtoFields.SetIfChanged(proto.ProducerVersion, ProducerVersion, v => proto.ProducerVersion = v);
        proto.OpsetImport.AddRange(OpsetImports.Select(o => o.ToProto()));
        proto.Graph = Graph.ToProto();
        return proto;
    }
}
