using System.Globalization;
using System.Text;

namespace Optimizer.Runtime.Compiled;

/// <summary>The operations of a <see cref="SizeExpression"/>. The numbers are stored and stable.</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public enum SizeOpKind : byte
{
    /// <summary>Push <see cref="SizeOp.Operand"/>.</summary>
    Constant = 0,
    /// <summary>Push the value of symbolic dimension <see cref="SizeOp.Operand"/>.</summary>
    Symbol = 1,
    /// <summary>Pop b, a; push a + b.</summary>
    Add = 2,
    /// <summary>Pop b, a; push a − b.</summary>
    Subtract = 3,
    /// <summary>Pop b, a; push a · b.</summary>
    Multiply = 4,
    /// <summary>Pop b, a; push ⌊a / b⌋.</summary>
    FloorDivide = 5,
}

/// <summary>One operation of a <see cref="SizeExpression"/>.</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public readonly record struct SizeOp(SizeOpKind Kind, long Operand = 0);

/// <summary>
/// A size or kernel argument in terms of the program's symbolic dimensions (the batch, a sequence
/// length, an image side), as postfix code: evaluated once per distinct input shape, never per call.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed class SizeExpression : IEquatable<SizeExpression>
{
    /// <summary>The deepest stack an expression may need (deeper ones are refused when read).</summary>
    public const int MaxDepth = 64;

    private readonly SizeOp[] _code;

    /// <summary>Creates an expression; the code must leave exactly one value on the stack.</summary>
    /// <exception cref="InvalidDataException">It does not.</exception>
    public SizeExpression(IReadOnlyList<SizeOp> code)
    {
        _code = code.ToArray();
        var depth = 0;
        foreach (var op in _code)
        {
            depth += op.Kind is SizeOpKind.Constant or SizeOpKind.Symbol ? 1 : op.Kind <= SizeOpKind.FloorDivide ? -1 : int.MinValue / 2;
            if (depth < 1 || depth > MaxDepth)
            {
                throw new InvalidDataException("A size expression of the kernel program is malformed. Rebuild the project.");
            }
        }

        if (depth != 1)
        {
            throw new InvalidDataException("A size expression of the kernel program is malformed. Rebuild the project.");
        }

        Constant = _code is [{ Kind: SizeOpKind.Constant } only] ? only.Operand : null;
    }

    /// <summary>The code, in postfix order.</summary>
    public IReadOnlyList<SizeOp> Code => _code;

    /// <summary>The value when the expression has no symbol.</summary>
    public long? Constant { get; }

    /// <summary>The symbol's index when the expression is one symbolic dimension alone.</summary>
    public int? SymbolIndex => _code is [{ Kind: SizeOpKind.Symbol } only] ? (int)only.Operand : null;

    /// <summary>A constant.</summary>
    public static SizeExpression Of(long value) => new([new SizeOp(SizeOpKind.Constant, value)]);

    /// <summary>One symbolic dimension.</summary>
    public static SizeExpression Symbol(int index) => new([new SizeOp(SizeOpKind.Symbol, index)]);

    /// <summary>The value for the symbolic dimensions' values.</summary>
    /// <exception cref="OverflowException">It overflows 64 bits.</exception>
    /// <exception cref="InvalidDataException">It reads a symbol the program does not have, or divides by zero.</exception>
    public long Evaluate(ReadOnlySpan<long> symbols)
    {
        if (Constant is { } constant)
        {
            return constant;
        }

        Span<long> stack = stackalloc long[MaxDepth];
        var top = 0;
        foreach (var op in _code)
        {
            switch (op.Kind)
            {
                case SizeOpKind.Constant:
                    stack[top++] = op.Operand;
                    break;
                case SizeOpKind.Symbol:
                    stack[top++] = op.Operand >= 0 && op.Operand < symbols.Length ? symbols[(int)op.Operand]
                        : throw new InvalidDataException($"A size expression reads symbolic dimension {op.Operand}; the program has {symbols.Length}. Rebuild the project.");
                    break;
                default:
                    var b = stack[--top];
                    var a = stack[top - 1];
                    stack[top - 1] = op.Kind switch
                    {
                        SizeOpKind.Add => checked(a + b),
                        SizeOpKind.Subtract => checked(a - b),
                        SizeOpKind.Multiply => checked(a * b),
                        _ => b == 0 ? throw new InvalidDataException("A size expression of the kernel program divides by zero for this input shape.") : FloorDivide(a, b),
                    };
                    break;
            }
        }

        return stack[0];
    }

    /// <inheritdoc />
    public bool Equals(SizeExpression? other) => other is not null && _code.AsSpan().SequenceEqual(other._code);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as SizeExpression);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var op in _code)
        {
            hash.Add(op);
        }

        return hash.ToHashCode();
    }

    /// <summary>Infix text with the symbols as <c>d0</c>, <c>d1</c>, …, e.g. <c>(d0*d1)*384</c>.</summary>
    public override string ToString()
    {
        if (Constant is { } constant)
        {
            return constant.ToString(CultureInfo.InvariantCulture);
        }

        var stack = new Stack<(string Text, bool Atomic)>();
        foreach (var op in _code)
        {
            if (op.Kind is SizeOpKind.Constant or SizeOpKind.Symbol)
            {
                var text = op.Kind == SizeOpKind.Symbol ? "d" + op.Operand.ToString(CultureInfo.InvariantCulture) : op.Operand.ToString(CultureInfo.InvariantCulture);
                stack.Push((text, op.Operand >= 0));
                continue;
            }

            var b = stack.Pop();
            var a = stack.Pop();
            var symbol = op.Kind switch { SizeOpKind.Add => "+", SizeOpKind.Subtract => "-", SizeOpKind.Multiply => "*", _ => "/" };
            stack.Push((new StringBuilder().Append(Wrap(a)).Append(symbol).Append(Wrap(b)).ToString(), false));
        }

        return stack.Pop().Text;

        static string Wrap((string Text, bool Atomic) part) => part.Atomic ? part.Text : "(" + part.Text + ")";
    }

    private static long FloorDivide(long a, long b)
    {
        var (q, r) = Math.DivRem(a, b);
        return r != 0 && (r < 0) != (b < 0) ? q - 1 : q;
    }
}
