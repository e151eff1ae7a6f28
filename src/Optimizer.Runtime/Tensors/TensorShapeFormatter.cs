namespace Optimizer.Runtime;

/// <summary>Formats shapes the same way everywhere, e.g. <c>[batch, 1, 8, 8]</c>.</summary>
internal static class TensorShapeFormatter
{
    public static string Format(ReadOnlySpan<int> shape)
    {
        var parts = new string[shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            parts[i] = shape[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return "[" + string.Join(", ", parts) + "]";
    }
}
