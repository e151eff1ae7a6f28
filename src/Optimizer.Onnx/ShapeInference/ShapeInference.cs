namespace Optimizer.Onnx;

/// <summary>
/// Infers element types and shapes of a model's main-graph values for the operators the passes
/// rewrite (see <see cref="IsSupported"/>). Symbolic dimensions (<c>batch</c>) propagate;
/// what cannot be decided statically stays unknown rather than guessed.
/// </summary>
public static class ShapeInference
{
    /// <summary>Whether <paramref name="node"/>'s output type is inferred by this version.</summary>
    public static bool IsSupported(OnnxNode node) => ShapeRuleTable.IsSupported(node);

    /// <summary>
    /// The type of every value whose type is known: graph inputs, initializers, values the model
    /// annotates, and outputs of supported operators. An inferred type wins over a stale annotation
    /// only when it is at least as specific.
    /// </summary>
    /// <exception cref="OnnxFormatException">
    /// The graph has a cycle, a node's attributes or input shapes are inconsistent
    /// (<see cref="OnnxErrorCodes.NodeInconsistent"/>), or a value would have more than
    /// <see cref="ModelLoadLimits.MaxTensorElements"/> elements (<see cref="OnnxErrorCodes.TensorTooLarge"/>).
    /// </exception>
    public static IReadOnlyDictionary<string, ValueTypeInfo> Infer(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return InferTypes(model).Where(p => p.Value.ElementType != TensorElementType.Undefined || p.Value.Shape is not null)
            .ToDictionary(p => p.Key, p => p.Value.ToValueTypeInfo(), StringComparer.Ordinal);
    }

    /// <summary>
    /// Writes the inferred types of intermediate values that the model does not annotate yet into
    /// the main graph's value_info; returns how many were added. Values whose element type is
    /// unknown are left out.
    /// </summary>
    /// <exception cref="OnnxFormatException">As for <see cref="Infer"/>.</exception>
    public static int Annotate(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph;
        var types = InferTypes(model);
        var annotated = graph.DeclaredInputs.Concat(graph.Outputs).Concat(graph.ValueInfos).Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        var added = 0;
        foreach (var output in graph.Nodes.SelectMany(n => n.Outputs))
        {
            if (output.Length > 0 && !annotated.Contains(output) && types.TryGetValue(output, out var type) && type.ElementType != TensorElementType.Undefined)
            {
                graph.ValueInfos.Add(new ValueInfo(output, type.ToValueTypeInfo()));
                annotated.Add(output);
                added++;
            }
        }

        return added;
    }

    internal static Dictionary<string, InferredType> InferTypes(OnnxModel model)
    {
        var graph = model.Graph;
        var opset = model.GetOpsetVersion("") ?? 1;
        var types = new Dictionary<string, InferredType>(StringComparer.Ordinal);
        foreach (var value in graph.ValueInfos.Concat(graph.Outputs).Concat(graph.DeclaredInputs))
        {
            types[value.Name] = InferredType.From(value.Type);
        }

        var constants = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        // From IR 4 an initializer that is also an input is an overridable default, not a constant.
        var overridable = model.IrVersion >= 4 ? graph.DeclaredInputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal) : [];
        foreach (var initializer in graph.Initializers)
        {
            types[initializer.Name] = new InferredType(initializer.ElementType, initializer.Dims.Select(Dim.Fixed).ToArray());
            if (!overridable.Contains(initializer.Name)) constants[initializer.Name] = initializer;
        }

        InferredType TypeOf(string name) => types.GetValueOrDefault(name) ?? InferredType.Unknown;
        OnnxTensor? ConstantOf(string name) => constants.GetValueOrDefault(name);

        foreach (var node in graph.GetTopologicalOrder())
        {
            if (node.Outputs.Count == 1 && node.ReadConstantValue() is { } value)
            {
                constants[node.Outputs[0]] = value;
                types[node.Outputs[0]] = new InferredType(value.ElementType, value.Dims.Select(Dim.Fixed).ToArray());
                continue;
            }

            if (node.Outputs.Count == 0 || node.Outputs[0].Length == 0) continue;
            var inferred = InferNode(new NodeContext(node, TypeOf, ConstantOf, opset, model.SourcePath), model.SourcePath);
            if (inferred is not null)
            {
                types[node.Outputs[0]] = Merge(inferred, types.GetValueOrDefault(node.Outputs[0]));
            }
        }

        return types;
    }

    /// <summary>
    /// Runs the node's rule. A rule that still fails on arithmetic or indexing (a case it does not
    /// check yet) reports the node as inconsistent rather than as an internal error.
    /// </summary>
    private static InferredType? InferNode(NodeContext context, string? modelPath)
    {
        InferredType? inferred;
        try
        {
            inferred = ShapeRuleTable.InferFirstOutput(context);
        }
        catch (OnnxFormatException e) when (e.Code == OnnxErrorCodes.TensorDataInvalid)
        {
            return null; // a constant input with inconsistent data: leave the type as annotated
        }
        catch (OverflowException e)
        {
            // Rules do dimension arithmetic checked, so sizes past 64 bits end here.
            throw NodeContext.Inconsistent(context.Node, "attributes or input shapes",
                "an output dimension worked out from them does not fit in 64 bits", modelPath, e);
        }
        catch (Exception e) when (e is ArithmeticException or IndexOutOfRangeException or ArgumentException or InvalidOperationException)
        {
            throw NodeContext.Inconsistent(context.Node, "attributes or input shapes",
                $"working out its output shape failed ({e.GetType().Name}: {e.Message})", modelPath, e);
        }

        CheckElementCount(context.Node, inferred, modelPath);
        return inferred;
    }

    private static void CheckElementCount(OnnxNode node, InferredType? inferred, string? modelPath)
    {
        var limit = ModelLoadLimits.Default.MaxTensorElements;
        var fixedSizes = inferred?.Shape?.Where(d => d.Size is not null).Select(d => d.Size!.Value).ToArray() ?? [];
        if (fixedSizes.Any(d => d < 0) || DimMath.ElementCount(fixedSizes) > limit)
        {
            throw new OnnxFormatException(OnnxErrorCodes.TensorTooLarge,
                $"Node '{node.Name}' ({node.OpType}) would produce a tensor of shape [{string.Join(",", inferred!.Shape!)}], " +
                $"which has a negative dimension or more than {limit} elements. No runtime can allocate it; fix or re-export the model.", modelPath);
        }
    }

    /// <summary>Combines an inferred type with the model's own annotation, keeping the more specific of each part.</summary>
    private static InferredType Merge(InferredType inferred, InferredType? declared)
    {
        if (declared is null) return inferred;
        var element = inferred.ElementType != TensorElementType.Undefined ? inferred.ElementType : declared.ElementType;
        if (inferred.Shape is null) return new InferredType(element, declared.Shape);
        if (declared.Shape is null || declared.Shape.Length != inferred.Shape.Length) return new InferredType(element, inferred.Shape);
        var dims = inferred.Shape.Zip(declared.Shape, (i, d) => i.Size is not null || d.Size is null && i.Symbol is not null ? i : d).ToArray();
        return new InferredType(element, dims);
    }
}
