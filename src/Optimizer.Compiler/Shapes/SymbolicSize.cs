using System.Globalization;
using System.Text;

namespace Optimizer.Compiler.Shapes;

/// <summary>
/// A size in terms of the model's symbolic dimensions, in a canonical form so that equal sizes
/// are equal objects: a sum of integer-weighted products of atoms, where an atom is a symbolic
/// dimension or a floor division the algebra cannot simplify (a strided convolution's output
/// length, say). Shape arithmetic only needs +, −, × and ⌊/⌋; sizes stay small (a few terms).
/// </summary>
internal sealed class SymbolicSize : IEquatable<SymbolicSize>
{
    private static readonly IReadOnlyList<Term> NoTerms = [];

    private SymbolicSize(IReadOnlyList<Term> terms)
    {
        Terms = terms;
        Key = terms.Count == 0 ? "0" : string.Join("+", terms.Select(t => t.Key));
    }

    /// <summary>The terms, ordered by their monomial's key; no two share a monomial and none is zero.</summary>
    public IReadOnlyList<Term> Terms { get; }

    /// <summary>The canonical text: equal sizes have equal keys.</summary>
    public string Key { get; }

    /// <summary>The value when the size has no symbol.</summary>
    public long? Constant => Terms.Count == 0 ? 0 : Terms is [{ Monomial.IsOne: true } t] ? t.Coefficient : null;

    public static SymbolicSize Of(long value) => value == 0 ? new(NoTerms) : new([new Term(value, Monomial.One)]);

    public static SymbolicSize Symbol(int index, string name) => new([new Term(1, Monomial.Of(Atom.ForSymbol(index, name)))]);

    public static SymbolicSize operator +(SymbolicSize a, SymbolicSize b) => Combine(a.Terms.Concat(b.Terms));

    public static SymbolicSize operator -(SymbolicSize a, SymbolicSize b) => Combine(a.Terms.Concat(b.Terms.Select(t => t with { Coefficient = -t.Coefficient })));

    public static SymbolicSize operator *(SymbolicSize a, SymbolicSize b) =>
        Combine(a.Terms.SelectMany(x => b.Terms.Select(y => new Term(checked(x.Coefficient * y.Coefficient), x.Monomial.Times(y.Monomial)))));

    /// <summary>⌊a / b⌋: exact when every term of <paramref name="a"/> divides by <paramref name="b"/>'s one term, else an atom.</summary>
    public static SymbolicSize FloorDivide(SymbolicSize a, SymbolicSize b)
    {
        if (b.Constant is 1)
        {
            return a;
        }

        if (a.Equals(b) && b.Terms.Count > 0)
        {
            return Of(1);
        }

        if (b.Terms is [var divisor] && a.Terms.All(t => t.Coefficient % divisor.Coefficient == 0 && t.Monomial.DividesBy(divisor.Monomial)))
        {
            return Combine(a.Terms.Select(t => new Term(t.Coefficient / divisor.Coefficient, t.Monomial.Over(divisor.Monomial))));
        }

        return new([new Term(1, Monomial.Of(Atom.ForDivision(a, b)))]);
    }

    /// <summary>The value for the symbols' values (indexed as at <see cref="Symbol"/>).</summary>
    public long Evaluate(IReadOnlyList<long> symbols)
    {
        long sum = 0;
        foreach (var t in Terms)
        {
            sum = checked(sum + checked(t.Coefficient * t.Monomial.Evaluate(symbols)));
        }

        return sum;
    }

    /// <summary>The symbolic dimensions the size depends on (inside divisions too).</summary>
    public IEnumerable<int> SymbolIndexes() => Terms.SelectMany(t => t.Monomial.Factors).SelectMany(f => f.Atom.SymbolIndexes()).Distinct();

    public bool Equals(SymbolicSize? other) => other is not null && other.Key == Key;

    public override bool Equals(object? obj) => Equals(obj as SymbolicSize);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Key);

    public override string ToString() => Key;

    private static SymbolicSize Combine(IEnumerable<Term> terms)
    {
        var merged = new SortedDictionary<string, Term>(StringComparer.Ordinal);
        foreach (var t in terms)
        {
            merged[t.Monomial.Key] = merged.TryGetValue(t.Monomial.Key, out var existing)
                ? existing with { Coefficient = checked(existing.Coefficient + t.Coefficient) }
                : t;
        }

        var kept = merged.Values.Where(t => t.Coefficient != 0).ToArray();
        return kept.Length == 0 ? new(NoTerms) : new(kept);
    }

    /// <summary>A coefficient times a monomial.</summary>
    internal readonly record struct Term(long Coefficient, Monomial Monomial)
    {
        public string Key => Monomial.IsOne ? Coefficient.ToString(CultureInfo.InvariantCulture)
            : Coefficient == 1 ? Monomial.Key
            : Coefficient.ToString(CultureInfo.InvariantCulture) + "*" + Monomial.Key;
    }

    /// <summary>A product of atoms with positive powers, ordered by atom key.</summary>
    internal sealed class Monomial
    {
        public static readonly Monomial One = new([]);

        private Monomial(IReadOnlyList<(Atom Atom, int Power)> factors)
        {
            Factors = factors;
            Key = string.Join("*", factors.SelectMany(f => Enumerable.Repeat(f.Atom.Key, f.Power)));
        }

        public IReadOnlyList<(Atom Atom, int Power)> Factors { get; }

        public string Key { get; }

        public bool IsOne => Factors.Count == 0;

        public static Monomial Of(Atom atom) => new([(atom, 1)]);

        public Monomial Times(Monomial other) => Build(Powers().Concat(other.Powers()));

        public bool DividesBy(Monomial divisor) => divisor.Factors.All(d => Factors.Any(f => f.Atom.Key == d.Atom.Key && f.Power >= d.Power));

        public Monomial Over(Monomial divisor) => Build(Powers().Concat(divisor.Powers().Select(p => (p.Atom, -p.Power))));

        public long Evaluate(IReadOnlyList<long> symbols)
        {
            long product = 1;
            foreach (var (atom, power) in Factors)
            {
                var value = atom.Evaluate(symbols);
                for (var i = 0; i < power; i++)
                {
                    product = checked(product * value);
                }
            }

            return product;
        }

        private IEnumerable<(Atom Atom, int Power)> Powers() => Factors;

        private static Monomial Build(IEnumerable<(Atom Atom, int Power)> powers)
        {
            var byKey = new SortedDictionary<string, (Atom Atom, int Power)>(StringComparer.Ordinal);
            foreach (var (atom, power) in powers)
            {
                byKey[atom.Key] = byKey.TryGetValue(atom.Key, out var e) ? (atom, e.Power + power) : (atom, power);
            }

            return new(byKey.Values.Where(f => f.Power > 0).ToArray());
        }
    }

    /// <summary>A symbolic dimension, or ⌊numerator / denominator⌋ that does not simplify.</summary>
    internal sealed class Atom
    {
        private Atom(string key, int symbol, SymbolicSize? numerator, SymbolicSize? denominator)
        {
            Key = key;
            SymbolIndex = symbol;
            Numerator = numerator;
            Denominator = denominator;
        }

        public string Key { get; }

        /// <summary>The symbol's index, or −1 for a division.</summary>
        public int SymbolIndex { get; }

        public SymbolicSize? Numerator { get; }

        public SymbolicSize? Denominator { get; }

        public static Atom ForSymbol(int index, string name) => new(Name(name), index, null, null);

        public static Atom ForDivision(SymbolicSize numerator, SymbolicSize denominator) =>
            new($"floor(({numerator.Key})/({denominator.Key}))", -1, numerator, denominator);

        public long Evaluate(IReadOnlyList<long> symbols)
        {
            if (SymbolIndex >= 0)
            {
                return symbols[SymbolIndex];
            }

            var d = Denominator!.Evaluate(symbols);
            return d == 0 ? throw new DivideByZeroException($"{Key} divides by zero") : Math.DivRem(Numerator!.Evaluate(symbols), d) switch
            {
                var (q, r) when r != 0 && (r < 0) != (d < 0) => q - 1,
                var (q, _) => q,
            };
        }

        public IEnumerable<int> SymbolIndexes() => SymbolIndex >= 0 ? [SymbolIndex] : Numerator!.SymbolIndexes().Concat(Denominator!.SymbolIndexes());

        /// <summary>The symbol as written in the model, when it reads as an identifier; else quoted (model text never shapes code: keys are data).</summary>
        private static string Name(string name)
        {
            var plain = name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
            if (plain)
            {
                return name;
            }

            var b = new StringBuilder("'");
            foreach (var c in name)
            {
                b.Append(c is '\'' or '\\' ? "\\" + c : c.ToString());
            }

            return b.Append('\'').ToString();
        }
    }
}
