using System.Globalization;

namespace Optimizer.Compiler.Shapes;

/// <summary>
/// A dimension or size during a build: its value for the build's binding of the symbolic
/// dimensions, and what it is in terms of them. The emitters compute with dims as with numbers;
/// decisions (is it 1? do two shapes match?) read <see cref="Value"/>, and the linker checks, on
/// builds at other bindings, that every size came out the same expression — so a decision that
/// depended on the binding, or a size computed without its symbols, refuses the model rather
/// than giving a wrong program.
/// </summary>
internal readonly struct Dim : IEquatable<Dim>, IComparable<Dim>
{
    private readonly SymbolicSize? _size;

    public Dim(long value, SymbolicSize? size)
    {
        Value = value;
        _size = size?.Constant is null ? size : null;
    }

    /// <summary>The value in this build.</summary>
    public long Value { get; }

    /// <summary>The size in terms of the symbolic dimensions (a constant when it has none).</summary>
    public SymbolicSize Size => _size ?? SymbolicSize.Of(Value);

    /// <summary>Whether the size does not depend on a symbolic dimension.</summary>
    public bool IsConstant => _size is null;

    public static implicit operator Dim(long value) => new(value, null);

    public static implicit operator Dim(int value) => new(value, null);

    public static Dim operator +(Dim a, Dim b) => Both(a, b) ? new Dim(checked(a.Value + b.Value), a.Size + b.Size) : checked(a.Value + b.Value);

    public static Dim operator -(Dim a, Dim b) => Both(a, b) ? new Dim(checked(a.Value - b.Value), a.Size - b.Size) : checked(a.Value - b.Value);

    public static Dim operator -(Dim a) => 0 - a;

    public static Dim operator *(Dim a, Dim b) => Both(a, b) ? new Dim(checked(a.Value * b.Value), a.Size * b.Size) : checked(a.Value * b.Value);

    /// <summary>Floor division (sizes are not negative; the value and the expression agree for negative ones too).</summary>
    public static Dim operator /(Dim a, Dim b)
    {
        if (b.Value == 0)
        {
            throw new UnsupportedException("a size is divided by zero");
        }

        var value = FloorDiv(a.Value, b.Value);
        return Both(a, b) ? new Dim(value, SymbolicSize.FloorDivide(a.Size, b.Size)) : value;
    }

    public static Dim operator %(Dim a, Dim b) => a - a / b * b;

    public static bool operator ==(Dim a, Dim b) => a.Value == b.Value;

    public static bool operator !=(Dim a, Dim b) => a.Value != b.Value;

    public static bool operator <(Dim a, Dim b) => a.Value < b.Value;

    public static bool operator >(Dim a, Dim b) => a.Value > b.Value;

    public static bool operator <=(Dim a, Dim b) => a.Value <= b.Value;

    public static bool operator >=(Dim a, Dim b) => a.Value >= b.Value;

    public static Dim Max(Dim a, Dim b) => a.Value >= b.Value ? a : b;

    public static Dim Min(Dim a, Dim b) => a.Value <= b.Value ? a : b;

    /// <summary>The value, which must not depend on a symbolic dimension (axes, permutations, kernel sizes).</summary>
    /// <exception cref="UnsupportedException">It does.</exception>
    public long Constant(string what) => IsConstant ? Value : throw new UnsupportedException($"{what} depends on the input's symbolic dimensions ({Size})");

    public bool Equals(Dim other) => Value == other.Value;

    public override bool Equals(object? obj) => obj is Dim d && Equals(d);

    public override int GetHashCode() => Value.GetHashCode();

    public int CompareTo(Dim other) => Value.CompareTo(other.Value);

    public override string ToString() => IsConstant ? Value.ToString(CultureInfo.InvariantCulture) : $"{Size}(={Value})";

    private static bool Both(Dim a, Dim b) => !a.IsConstant || !b.IsConstant;

    private static long FloorDiv(long a, long b)
    {
        var (q, r) = Math.DivRem(a, b);
        return r != 0 && (r < 0) != (b < 0) ? q - 1 : q;
    }
}

/// <summary>Dims as arrays: products, values, constants.</summary>
internal static class Dims
{
    public static long[] Values(this IReadOnlyList<Dim> dims) => dims.Select(d => d.Value).ToArray();

    public static Dim[] Of(IEnumerable<long> values) => values.Select(v => (Dim)v).ToArray();

    /// <summary>The values, which must not depend on a symbolic dimension.</summary>
    public static long[] Constants(this IReadOnlyList<Dim> dims, string what) => dims.Select(d => d.Constant(what)).ToArray();

    public static string Format(this IReadOnlyList<Dim> dims) => "[" + string.Join(",", dims.Select(d => d.ToString())) + "]";
}
