using Optimizer.Onnx;

namespace Optimizer.Passes.Precision;

/// <summary>
/// Inserts the Casts between float32 and float16 values that a mixed-precision graph needs,
/// one per value and direction, and restores float32 graph outputs.
/// </summary>
internal sealed class CastInserter(OnnxGraph graph, HashSet<string> inHalf)
{
    private readonly UniqueNames _names = new(graph);
    private readonly Dictionary<(string, bool), string> _casts = new();

    public int Count => _casts.Count;

    /// <summary>Rewires <paramref name="node"/>'s float inputs to the precision it runs in.</summary>
    public void ReadAs(OnnxNode node, Func<string, bool> isFloat, bool toHalf)
    {
        for (var i = 0; i < node.Inputs.Count; i++)
        {
            var input = node.Inputs[i];
            if (isFloat(input) && inHalf.Contains(input) != toHalf)
            {
                node.Inputs[i] = Cast(input, toHalf);
            }
        }
    }

    /// <summary>Graph outputs held in fp16 get a final Cast to fp32 under their own name.</summary>
    public void RestoreFloatOutputs()
    {
        foreach (var output in graph.Outputs.Where(o => inHalf.Contains(o.Name)))
        {
            var halfName = _names.Next($"{output.Name}_fp16");
            foreach (var node in graph.Nodes)
            {
                for (var i = 0; i < node.Inputs.Count; i++)
                {
                    node.Inputs[i] = node.Inputs[i] == output.Name ? halfName : node.Inputs[i];
                }

                for (var i = 0; i < node.Outputs.Count; i++)
                {
                    node.Outputs[i] = node.Outputs[i] == output.Name ? halfName : node.Outputs[i];
                }
            }

            graph.Nodes.Add(CastNode(halfName, output.Name, toHalf: false));
            inHalf.Remove(output.Name);
            inHalf.Add(halfName);
            _casts[(output.Name, false)] = output.Name;
        }
    }

    private string Cast(string value, bool toHalf)
    {
        if (!_casts.TryGetValue((value, toHalf), out var cast))
        {
            cast = _names.Next($"{value}_{(toHalf ? "fp16" : "fp32")}");
            graph.Nodes.Add(CastNode(value, cast, toHalf));
            _casts[(value, toHalf)] = cast;
        }

        return cast;
    }

    private OnnxNode CastNode(string from, string to, bool toHalf)
    {
        var node = new OnnxNode("Cast", [from], [to], _names.Next($"{to}_Cast"));
        node.SetAttribute(OnnxAttribute.FromInt("to", (long)(toHalf ? TensorElementType.Float16 : TensorElementType.Float)));
        return node;
    }
}
