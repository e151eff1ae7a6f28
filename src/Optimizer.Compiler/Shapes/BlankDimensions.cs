using Optimizer.Onnx;

namespace Optimizer.Compiler.Shapes;

/// <summary>
/// Input dimensions the exporter left blank (neither a size nor a name: silero VAD v5/v6). The compiler
/// needs every input dimension to be a size or a symbol, so it names the blanks: first each its own
/// symbol (<c>input_dim0</c>), then, when the model does not compile so, two blanks of different inputs
/// as one symbol, a pair at a time (the audio's batch and the state's batch, which the LSTM needs equal).
/// Any naming the compiler accepts is sound: the program binds every input dimension to its symbol and
/// refuses inputs whose sizes disagree with it (<see cref="Runtime.Compiled.ProgramLayout.Bind"/>).
/// </summary>
internal static class BlankDimensions
{
    /// <summary>At most this many pairs are tried (each is a whole compilation).</summary>
    private const int MaxPairs = 12;

    private readonly record struct Blank(int Input, int Axis, string Symbol);

    /// <summary>Whether some input has a blank dimension (a model without one compiles as declared).</summary>
    public static bool Any(OnnxModel model) => Find(model).Count > 0;

    /// <summary>Copies of <paramref name="model"/> with its blank dimensions named, in the order to try them.</summary>
    public static IEnumerable<OnnxModel> Namings(OnnxModel model)
    {
        var blanks = Find(model);
        yield return Named(model, blanks, null);
        var pairs = blanks.SelectMany((a, i) => blanks.Skip(i + 1).Where(b => b.Input != a.Input).Select(b => (a, b))).Take(MaxPairs);
        foreach (var (a, b) in pairs)
        {
            yield return Named(model, blanks, (b, a.Symbol));
        }
    }

    private static List<Blank> Find(OnnxModel model)
    {
        var inputs = model.Graph.Inputs;
        var taken = inputs.SelectMany(i => i.Type?.Shape ?? Array.Empty<Onnx.Dim>()).Select(d => d.Symbol).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var blanks = new List<Blank>();
        for (var i = 0; i < inputs.Count; i++)
        {
            var shape = inputs[i].Type is { Kind: ValueKind.Tensor, Shape: { } s } ? s : [];
            for (var axis = 0; axis < shape.Count; axis++)
            {
                if (shape[axis] is { Size: null, Symbol: null })
                {
                    var symbol = $"{inputs[i].Name}_dim{axis}";
                    while (!taken.Add(symbol))
                    {
                        symbol += "_";
                    }

                    blanks.Add(new Blank(i, axis, symbol));
                }
            }
        }

        return blanks;
    }

    /// <summary>A copy with every blank named by its symbol, except <paramref name="merge"/>'s blank, which takes the other symbol.</summary>
    private static OnnxModel Named(OnnxModel model, List<Blank> blanks, (Blank Blank, string Symbol)? merge)
    {
        var copy = model.Clone();
        var inputs = copy.Graph.Inputs;
        foreach (var blank in blanks)
        {
            var input = inputs[blank.Input];
            var symbol = merge is { } m && m.Blank == blank ? m.Symbol : blank.Symbol;
            input.Type = ValueTypeInfo.Tensor(input.Type!.ElementType, input.Type.Shape!.Select((d, axis) => axis == blank.Axis ? Onnx.Dim.Named(symbol) : d).ToArray());
        }

        return copy;
    }
}
