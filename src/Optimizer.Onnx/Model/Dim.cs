namespace Optimizer.Onnx;

/// <summary>
/// One dimension of a tensor shape: a fixed <see cref="Size"/>, a named <see cref="Symbol"/>
/// (equal names bind to equal sizes), or neither (unknown).
/// </summary>
/// <param name="Size">The fixed size, or null when the dimension is symbolic or unknown.</param>
/// <param name="Symbol">The symbolic name (ONNX <c>dim_param</c>), or null.</param>
public sealed record Dim(long? Size, string? Symbol)
{
    /// <summary>A dimension of unknown size.</summary>
    public static Dim Unknown { get; } = new(null, null);

    /// <summary>A dimension of fixed size.</summary>
    public static Dim Fixed(long size) => new(size, null);

    /// <summary>A symbolic dimension such as <c>batch</c>.</summary>
    public static Dim Named(string symbol) => new(null, symbol);

    /// <inheritdoc />
    public override string ToString() => Size?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? Symbol ?? "?";
}
