using Optimizer.Onnx;

namespace Optimizer.Passes.Cleanup;

/// <summary>
/// Initializer rules that depend on the IR version. Before IR 4 every initializer had to be
/// listed as a graph input too, and such inputs are not overridable (ONNX Runtime's
/// CanOverrideInitializer is IR ≥ 4); from IR 4 on, an initializer that is also an input is a
/// default the caller may replace, so it is not a constant.
/// </summary>
internal static class Initializers
{
    private const long FirstIrWithOptionalInputs = 4;

    /// <summary>Names of initializers whose value the caller cannot override.</summary>
    public static HashSet<string> ConstantNames(OnnxModel model)
    {
        var names = model.Graph.Initializers.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        if (model.IrVersion >= FirstIrWithOptionalInputs)
        {
            names.ExceptWith(model.Graph.DeclaredInputs.Select(i => i.Name));
        }

        return names;
    }

    /// <summary>
    /// Whether the initializer <paramref name="name"/> is one the caller cannot override: the
    /// per-name form of <see cref="ConstantNames"/>, without building the set of every initializer.
    /// </summary>
    public static bool IsConstant(OnnxModel model, string name) =>
        model.IrVersion < FirstIrWithOptionalInputs || !model.Graph.DeclaredInputs.Any(i => i.Name == name);

    /// <summary>Adds <paramref name="tensor"/>, also as a graph input where the IR version requires it.</summary>
    public static void Add(OnnxModel model, OnnxTensor tensor)
    {
        model.Graph.Initializers.Add(tensor);
        if (model.IrVersion < FirstIrWithOptionalInputs)
        {
            model.Graph.DeclaredInputs.Add(new ValueInfo(tensor.Name, ValueTypeInfo.Tensor(tensor.ElementType, tensor.Dims.Select(Dim.Fixed).ToArray())));
        }
    }

    /// <summary>Removes <paramref name="name"/> and its input declaration, if any.</summary>
    public static void Remove(OnnxModel model, string name)
    {
        model.Graph.Initializers.RemoveAll(t => t.Name == name);
        model.Graph.DeclaredInputs.RemoveAll(i => i.Name == name);
    }
}
