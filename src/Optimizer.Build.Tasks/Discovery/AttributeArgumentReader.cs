using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Optimizer.Build.Tasks.Diagnostics;

namespace Optimizer.Build.Tasks.Discovery;

/// <summary>
/// Reads one attribute argument from syntax. Only literals, enum member accesses and unary signs
/// are understood: there is no semantic model at build time (it would mean compiling the project
/// twice), so anything that needs one — constants, nameof, arithmetic — is refused with a coded
/// error that asks for a literal.
/// </summary>
internal static class AttributeArgumentReader
{
    public static OptionValue Read(string owner, OptionDescriptor option, ExpressionSyntax expression)
    {
        return option.Kind switch
        {
            OptionKind.Path => ReadString(owner, option.Name, expression),
            OptionKind.Number => ReadNumber(owner, option, expression),
            OptionKind.Boolean => ReadBoolean(owner, option, expression),
            OptionKind.Text => ReadText(owner, option, expression),
            _ => ReadEnum(owner, option, expression),
        };
    }

    public static OptionValue ReadString(string owner, string name, ExpressionSyntax expression)
    {
        if (expression is LiteralExpressionSyntax literal)
        {
            if (literal.IsKind(SyntaxKind.StringLiteralExpression))
            {
                var text = literal.Token.ValueText;
                return text.Trim().Length > 0
                    ? OptionValue.Ok(text.Replace('\\', '/'))
                    : OptionValue.Fail(DiagnosticCodes.InvalidValue, $"{owner}.{name} is empty. Give a path relative to the project folder.");
            }

            return OptionValue.Fail(DiagnosticCodes.InvalidValue,
                $"{owner}.{name} must be a string (a path relative to the project folder), not {expression}.");
        }

        return NotLiteral(owner, name, expression, "a string literal such as \"Models/model.onnx\"");
    }

    private static OptionValue ReadBoolean(string owner, OptionDescriptor option, ExpressionSyntax expression)
    {
        if (expression.IsKind(SyntaxKind.TrueLiteralExpression))
            return OptionValue.Ok("true");
        if (expression.IsKind(SyntaxKind.FalseLiteralExpression))
            return OptionValue.Ok("false");
        return expression is LiteralExpressionSyntax
            ? OptionValue.Fail(DiagnosticCodes.InvalidValue, $"{owner}.{option.Name} must be true or false, not {expression}.")
            : NotLiteral(owner, option.Name, expression, "true or false");
    }

    private static OptionValue ReadText(string owner, OptionDescriptor option, ExpressionSyntax expression)
    {
        if (expression is LiteralExpressionSyntax literal && literal.IsKind(SyntaxKind.StringLiteralExpression))
            return OptionValue.Ok(literal.Token.ValueText);
        return expression is LiteralExpressionSyntax
            ? OptionValue.Fail(DiagnosticCodes.InvalidValue, $"{owner}.{option.Name} must be a string, not {expression}.")
            : NotLiteral(owner, option.Name, expression, "a string literal");
    }

    private static OptionValue ReadNumber(string owner, OptionDescriptor option, ExpressionSyntax expression)
    {
        var sign = 1.0;
        if (expression is PrefixUnaryExpressionSyntax unary
            && (unary.IsKind(SyntaxKind.UnaryMinusExpression) || unary.IsKind(SyntaxKind.UnaryPlusExpression)))
        {
            sign = unary.IsKind(SyntaxKind.UnaryMinusExpression) ? -1 : 1;
            expression = unary.Operand;
        }

        if (expression is LiteralExpressionSyntax literal)
        {
            if (literal.IsKind(SyntaxKind.NumericLiteralExpression) && literal.Token.Value is IConvertible number)
                return OptionValue.FromNumber(owner, option, sign * number.ToDouble(CultureInfo.InvariantCulture));
            return OptionValue.Fail(DiagnosticCodes.InvalidValue, $"{owner}.{option.Name} must be a number, not {expression}.");
        }

        return NotLiteral(owner, option.Name, expression, "a number literal such as 0.5");
    }

    private static OptionValue ReadEnum(string owner, OptionDescriptor option, ExpressionSyntax expression)
    {
        switch (expression)
        {
            // QuantizationMode.DynamicInt8, Optimizer.Runtime.QuantizationMode.DynamicInt8, global::...
            case MemberAccessExpressionSyntax access when IsEnumTypeName(access.Expression.ToString(), option.EnumType):
                return OptionValue.FromEnumMember(owner, option, access.Name.Identifier.ValueText);

            // `using static Optimizer.Runtime.QuantizationMode;` then DynamicInt8
            case IdentifierNameSyntax identifier when option.Members.Contains(identifier.Identifier.ValueText):
                return OptionValue.Ok(identifier.Identifier.ValueText);

            case CastExpressionSyntax:
            case LiteralExpressionSyntax:
                return OptionValue.Fail(DiagnosticCodes.InvalidValue,
                    $"{expression} is not a named {option.EnumType} member ({owner}.{option.Name}). Use one of: {OptionValue.MemberList(option)}.");

            default:
                return NotLiteral(owner, option.Name, expression, $"{option.EnumType}.<member> (one of: {OptionValue.MemberList(option)})");
        }
    }

    private static bool IsEnumTypeName(string written, string enumType)
    {
        var name = written.Replace(" ", "");
        if (name.StartsWith("global::", StringComparison.Ordinal))
            name = name.Substring("global::".Length);
        return name == enumType || name == AttributeCatalog.Namespace + "." + enumType;
    }

    private static OptionValue NotLiteral(string owner, string name, ExpressionSyntax expression, string expected) =>
        OptionValue.Fail(DiagnosticCodes.ArgumentNotLiteral,
            $"{owner}.{name} = {expression} cannot be read at build time: the optimizer reads attributes without compiling. Write {expected} directly in the attribute.");
}
