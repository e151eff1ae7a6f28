using Optimizer.Onnx;
using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace Optimizer.Training.Conversion;

/// <summary>
/// An ONNX graph run by TorchSharp, node by node, so autograd can train its weights. Float
/// initializers that ops use as weights (Conv, Gemm, MatMul, BatchNormalization/LayerNormalization
/// scale and bias, Gather's embedding tables, Add/Mul constants of rank ≥ 1) become trainable parameters; everything else (shapes, running statistics)
/// stays constant. <see cref="WriteBack"/> puts trained values into the model's initializers, in
/// place, so the graph itself never changes.
/// </summary>
internal sealed class TorchGraph : IDisposable
{
    private readonly OnnxGraph _graph;
    private readonly IReadOnlyList<OnnxNode> _order;
    private readonly Dictionary<string, Tensor> _constants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Parameter> _parameters = new(StringComparer.Ordinal);
    private readonly long _opset;

    private TorchGraph(OnnxModel model)
    {
        _graph = model.Graph;
        _opset = model.GetOpsetVersion("") ?? 13;
        _order = _graph.GetTopologicalOrder();
    }

    /// <summary>Builds the graph of <paramref name="model"/>; refuses operators it cannot run.</summary>
    /// <exception cref="Optimizer.Passes.PassException">An unsupported operator or attribute (OPT1071).</exception>
    public static TorchGraph Create(OnnxModel model, string? pass = null)
    {
        var graph = new TorchGraph(model);
        var unsupported = graph._order.Where(n => !OperatorKernels.Supports(n)).Select(n => n.OpType).Distinct().ToArray();
        if (unsupported.Length > 0)
        {
            throw TrainingException.Create(TrainingErrorCodes.UnsupportedOperator,
                $"training cannot run the operator{(unsupported.Length == 1 ? "" : "s")} {string.Join(", ", unsupported)}. It supports {OperatorKernels.SupportedList}. Remove the training attributes for this model, or simplify the model.", pass);
        }

        var trainable = graph._order.SelectMany(OperatorKernels.TrainableInputs).ToHashSet(StringComparer.Ordinal);
        foreach (var initializer in model.Graph.Initializers)
        {
            var tensor = ElementTypes.ToTorch(initializer);
            if (tensor is null) continue;
            // Rank-0 floats are parts of formulas (epsilons, GELU's 0.5, a mask's fill value), not weights.
            if (trainable.Contains(initializer.Name) && tensor.dtype == ScalarType.Float32 && tensor.dim() > 0)
                graph._parameters[initializer.Name] = new Parameter(tensor, requires_grad: true);
            else
                graph._constants[initializer.Name] = tensor;
        }

        // Constant nodes are values too (the IR reads them as tensors).
        foreach (var node in graph._order.Where(n => n.OpType == "Constant" && n.IsDefaultDomain))
        {
            if (model.Graph.FindConstant(node.Outputs[0]) is { } constant && ElementTypes.ToTorch(constant) is { } tensor)
                graph._constants[node.Outputs[0]] = tensor;
        }
        return graph;
    }

    /// <summary>Trainable parameters by initializer name, in initializer order.</summary>
    public IReadOnlyDictionary<string, Parameter> Parameters => _parameters;

    /// <summary>Names of the graph's inputs (initializers excluded), in order.</summary>
    public IReadOnlyList<string> InputNames => _graph.Inputs.Select(i => i.Name).ToArray();

    /// <summary>Names of the graph's outputs, in order.</summary>
    public IReadOnlyList<string> OutputNames => _graph.Outputs.Select(o => o.Name).ToArray();

    /// <summary>
    /// The value training compares with labels for output <paramref name="outputIndex"/>: the
    /// output itself, or the input of a final Softmax (cross-entropy wants logits).
    /// </summary>
    public string LogitsName(int outputIndex = 0)
    {
        var output = OutputNames[outputIndex];
        var producer = _graph.FindProducer(output);
        return producer is { OpType: "Softmax" or "LogSoftmax" } && producer.IsDefaultDomain ? producer.Inputs[0] : output;
    }

    /// <summary>Runs the graph; returns the values named in <paramref name="wanted"/>.</summary>
    public Dictionary<string, Tensor> Forward(IReadOnlyDictionary<string, Tensor> inputs, IReadOnlyCollection<string> wanted)
    {
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in _constants) values[name] = tensor;
        foreach (var (name, tensor) in _parameters) values[name] = tensor;
        foreach (var (name, tensor) in inputs) values[name] = tensor;
        foreach (var node in _order)
        {
            if (node.OpType == "Constant" && values.ContainsKey(node.Outputs[0])) continue;
            var operands = node.Inputs.Select(i => i.Length == 0 ? null : values[i]).ToArray();
            var results = OperatorKernels.Run(node, operands, _opset);
            for (var i = 0; i < results.Length && i < node.Outputs.Count; i++)
                if (node.Outputs[i].Length > 0) values[node.Outputs[i]] = results[i];
        }
        return wanted.ToDictionary(w => w, w => values[w], StringComparer.Ordinal);
    }

    /// <summary>Runs a single-input graph and returns <paramref name="output"/>.</summary>
    public Tensor Forward(Tensor input, string output) => Forward(new Dictionary<string, Tensor> { [InputNames[0]] = input }, [output])[output];

    /// <summary>Writes every parameter's current values into the model's initializer of the same name (same position, dims and type).</summary>
    public void WriteBack(OnnxModel model)
    {
        var initializers = model.Graph.Initializers;
        for (var i = 0; i < initializers.Count; i++)
        {
            if (!_parameters.TryGetValue(initializers[i].Name, out var parameter)) continue;
            var values = parameter.detach().contiguous().data<float>().ToArray();
            initializers[i] = OnnxTensor.FromFloats(initializers[i].Name, initializers[i].Dims.ToArray(), values);
        }
    }

    public void Dispose()
    {
        foreach (var t in _constants.Values) t.Dispose();
        foreach (var p in _parameters.Values) p.Dispose();
    }
}
