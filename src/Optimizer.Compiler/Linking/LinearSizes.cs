using Optimizer.Compiler.Shapes;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Linking;

/// <summary>
/// Writes sizes in the program format's <see cref="Lin"/>: constants, or linear in one symbolic
/// dimension (the batch). A program whose sizes need more is refused with the expression.
/// </summary>
internal sealed class LinearSizes(IReadOnlyList<string> symbols)
{
    public Lin Convert(SymbolicSize size)
    {
        if (size.Constant is { } constant)
        {
            return Lin.Of(constant);
        }

        var used = size.SymbolIndexes().ToArray();
        if (symbols.Count > 1 && used.Length > 0)
        {
            throw new UnsupportedException($"{symbols.Count} symbolic dimensions ({string.Join(", ", symbols)}); one (the batch) is supported");
        }

        long perBatch = 0, constantPart = 0;
        foreach (var term in size.Terms)
        {
            if (term.Monomial.IsOne)
            {
                constantPart = term.Coefficient;
            }
            else if (term.Monomial.Factors is [{ Power: 1, Atom.SymbolIndex: >= 0 }])
            {
                perBatch = term.Coefficient;
            }
            else
            {
                throw new UnsupportedException($"a size ({size}) is not linear in the batch dimension");
            }
        }

        return new Lin(perBatch, constantPart);
    }
}
