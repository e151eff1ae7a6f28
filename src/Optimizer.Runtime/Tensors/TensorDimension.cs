using System.Globalization;

namespace Optimizer.Runtime;

/// <summary>
/// One dimension of a model input's or output's declared shape: a fixed size, a named symbol
/// (such as <c>batch</c>, which must have the same size wherever it appears) or unknown.
/// </summary>
public readonly record struct TensorDimension
{
    private TensorDimension(int? size, string? symbol)
    {
        Size = size;
        Symbol = symbol;
    }

    /// <summary>A dimension unknown until run time; any size is accepted.</summary>
    public static TensorDimension Unknown => default;

    /// <summary>The fixed size, or <see langword="null"/> for a symbolic or unknown dimension.</summary>
    public int? Size { get; }

    /// <summary>The symbol's name, or <see langword="null"/> for a fixed or unknown dimension.</summary>
    public string? Symbol { get; }

    /// <summary>Whether the size is fixed by the model.</summary>
    public bool IsFixed => Size.HasValue;

    /// <summary>Whether the dimension is a named symbol.</summary>
    public bool IsSymbolic => Symbol is not null;

    /// <summary>A dimension the model fixes to <paramref name="size"/> (0 or more).</summary>
    public static TensorDimension Fixed(int size) =>
        size >= 0 ? new TensorDimension(size, null) : throw new ArgumentOutOfRangeException(nameof(size), size, "A fixed dimension is 0 or more.");

    /// <summary>A named dimension such as <c>batch</c>: equal names bind to equal sizes across all inputs.</summary>
    public static TensorDimension Symbolic(string symbol) =>
        !string.IsNullOrEmpty(symbol) ? new TensorDimension(null, symbol) : throw new ArgumentException("A symbolic dimension needs a name.", nameof(symbol));

    /// <summary>The size, the symbol's name, or <c>?</c> when unknown.</summary>
    public override string ToString() => Size?.ToString(CultureInfo.InvariantCulture) ?? Symbol ?? "?";
}
