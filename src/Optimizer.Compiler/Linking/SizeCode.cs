using Optimizer.Compiler.Shapes;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Linking;

/// <summary>Writes a <see cref="SymbolicSize"/> as the program's postfix <see cref="SizeExpression"/>.</summary>
internal static class SizeCode
{
    public static SizeExpression Of(SymbolicSize size)
    {
        if (size.Constant is { } constant)
        {
            return SizeExpression.Of(constant);
        }

        var code = new List<SizeOp>();
        Sum(size, code);
        return new SizeExpression(code);
    }

    private static void Sum(SymbolicSize size, List<SizeOp> code)
    {
        for (var t = 0; t < size.Terms.Count; t++)
        {
            var term = size.Terms[t];
            var first = true;
            if (term.Coefficient != 1 || term.Monomial.IsOne)
            {
                code.Add(new SizeOp(SizeOpKind.Constant, term.Coefficient));
                first = false;
            }

            foreach (var (atom, power) in term.Monomial.Factors)
            {
                for (var p = 0; p < power; p++)
                {
                    Atom(atom, code);
                    if (!first)
                    {
                        code.Add(new SizeOp(SizeOpKind.Multiply));
                    }

                    first = false;
                }
            }

            if (t > 0)
            {
                code.Add(new SizeOp(SizeOpKind.Add));
            }
        }

        if (size.Terms.Count == 0)
        {
            code.Add(new SizeOp(SizeOpKind.Constant, 0));
        }
    }

    private static void Atom(SymbolicSize.Atom atom, List<SizeOp> code)
    {
        if (atom.SymbolIndex >= 0)
        {
            code.Add(new SizeOp(SizeOpKind.Symbol, atom.SymbolIndex));
            return;
        }

        Sum(atom.Numerator!, code);
        Sum(atom.Denominator!, code);
        code.Add(new SizeOp(SizeOpKind.FloorDivide));
    }
}
