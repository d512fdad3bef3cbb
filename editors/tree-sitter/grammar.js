/**
 * Tree-sitter grammar for `.infra`, following lang/src/syntax/grammar.pest.
 *
 * Differences from the pest grammar, on purpose:
 * - Line breaks are trivia here. In `.infra` a line break separates attributes and entries and
 *   ends a statement, but no valid construct ever puts two expressions side by side, so the
 *   tree is the same without them; this grammar accepts a few files the compiler refuses (two
 *   attributes on one line without a comma), which an editor grammar may do.
 * - Operators get their precedence here (pest parses a flat chain and `build_expr.rs` folds
 *   it), so the tree shows the structure the checker uses.
 * - Heredocs need the marker remembered, which only the external scanner (src/scanner.c) can do.
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

const PREC = {
  conditional: 1,
  or: 2,
  and: 3,
  equality: 4,
  compare: 5,
  add: 6,
  multiply: 7,
  unary: 8,
  postfix: 9,
};

// An attribute or key is pest's `word`, so it may be named like a keyword (`{ for = 1 }`).
// Where such a keyword cannot come next, tree-sitter already reads it as an identifier; right
// after `{`, `for` could start a comprehension, so the key position must accept it by name.
// Each token is aliased on its own, so the key is a leaf `identifier` that no `"for"` pattern
// of the highlight queries matches.
const keywordNames = ($) => ['for', 'in', 'if'].map((word) => alias(word, $.identifier));

const commaSep = (rule) => optional(seq(rule, repeat(seq(',', rule)), optional(',')));

module.exports = grammar({
  name: 'infra',

  word: ($) => $.identifier,

  extras: ($) => [/\s/, $.comment],

  externals: ($) => [
    $.heredoc_start,
    $.heredoc_content,
    $.heredoc_end,
    // Never produced: tells the scanner that the parser is recovering from an error.
    $._error_sentinel,
  ],

  supertypes: ($) => [$._statement, $._expression, $._type],

  rules: {
    source_file: ($) => repeat($._statement),

    _statement: ($) =>
      choice(
        $.param_declaration,
        $.let_declaration,
        $.resource_declaration,
        $.existing_declaration,
        $.module_declaration,
        $.output_declaration,
        $.environment_declaration,
        $.import_declaration,
        $.function_declaration,
      ),

    // ------------------------------------------------------------------ statements

    param_declaration: ($) =>
      seq(
        'param',
        field('name', $.identifier),
        ':',
        field('type', $._type),
        optional(seq('=', field('default', $._expression))),
      ),

    let_declaration: ($) =>
      seq('let', field('name', $.identifier), '=', field('value', $._expression)),

    // The type is a provider type (`azure.key_vault`) or an ARM type reference written as a
    // string (`"Microsoft.Web/sites@2025-03-01"`).
    resource_declaration: ($) =>
      seq(
        'resource',
        field('name', $.identifier),
        ':',
        field('type', $._resource_type),
        optional(field('for', $.for_clause)),
        field('body', $.block),
      ),

    existing_declaration: ($) =>
      seq(
        'existing',
        field('name', $.identifier),
        ':',
        field('type', $._resource_type),
        field('body', $.block),
      ),

    module_declaration: ($) =>
      seq(
        'module',
        field('name', $.identifier),
        '=',
        field('source', $.string),
        field('body', $.block),
      ),

    output_declaration: ($) =>
      seq(
        'output',
        field('name', $.identifier),
        optional(seq(':', field('type', $._type))),
        '=',
        field('value', $._expression),
      ),

    // Environment names may hold dashes (`vm-test`): they are never read in expressions.
    environment_declaration: ($) =>
      seq(
        'environment',
        field('name', alias($._environment_name, $.identifier)),
        field('body', $.block),
      ),

    _environment_name: (_) => /[A-Za-z_][A-Za-z0-9_-]*/,

    // `fn name(a: string, b: int): string = expr`: a pure function (the result type optional).
    function_declaration: ($) =>
      seq(
        'fn',
        field('name', $.identifier),
        '(',
        optional(
          seq(
            $.function_parameter,
            repeat(seq(',', $.function_parameter)),
            optional(','),
          ),
        ),
        ')',
        optional(seq(':', field('result', $._type))),
        '=',
        field('body', $._expression),
      ),

    function_parameter: ($) =>
      seq(field('name', $.identifier), ':', field('type', $._type)),

    // `import { to = rg, id = "/subscriptions/..." }`: adopt an existing object.
    import_declaration: ($) => seq('import', field('body', $.block)),

    _resource_type: ($) => choice($.type_name, alias($.string, $.arm_type)),

    // `for k, v in COLLECTION` before a resource body. A name followed by `{` there ends the
    // collection (the `{` opens the body), hence the low precedence of `tagged_object`.
    for_clause: ($) =>
      seq(
        'for',
        field('key', $.identifier),
        optional(seq(',', field('value', $.identifier))),
        'in',
        field('collection', $._expression),
      ),

    block: ($) => seq('{', repeat(choice($.attribute, ',')), '}'),

    attribute: ($) =>
      seq(
        field('name', choice($.identifier, ...keywordNames($))),
        '=',
        field('value', $._expression),
      ),

    // ------------------------------------------------------------------ types

    _type: ($) => choice($.type_name, $.generic_type, $.object_type, $.enum_type),

    type_name: ($) => seq($.identifier, repeat(seq('.', $.identifier))),

    // `list<T>`, `map<T>` (any other name is kept whole for the checker to report).
    generic_type: ($) => seq(field('name', $.identifier), '<', field('argument', $._type), '>'),

    object_type: ($) => seq('{', repeat(choice($.type_field, ',')), '}'),

    type_field: ($) =>
      seq(field('name', $.identifier), optional(field('optional', '?')), ':', field('type', $._type)),

    // `"Basic" | "Standard"` (one string alone is an enum of one value).
    enum_type: ($) => seq($.string, repeat(seq('|', $.string))),

    // ------------------------------------------------------------------ expressions

    _expression: ($) =>
      choice(
        $.conditional_expression,
        $.binary_expression,
        $.unary_expression,
        $.member_expression,
        $.index_expression,
        $.call_expression,
        $.tagged_object,
        // A name read in an expression (a param, let, resource, module or loop variable).
        alias($.identifier, $.reference),
        $.string,
        $.heredoc,
        $.number,
        $.true,
        $.false,
        $.null,
        $.list,
        $.list_comprehension,
        $.object,
        $.object_comprehension,
        $.parenthesized_expression,
      ),

    conditional_expression: ($) =>
      prec.right(
        PREC.conditional,
        seq(
          field('condition', $._expression),
          '?',
          field('consequence', $._expression),
          ':',
          field('alternative', $._expression),
        ),
      ),

    binary_expression: ($) => {
      const table = [
        [PREC.or, '||'],
        [PREC.and, '&&'],
        [PREC.equality, choice('==', '!=')],
        [PREC.compare, choice('<', '<=', '>', '>=')],
        [PREC.add, choice('+', '-')],
        [PREC.multiply, choice('*', '/', '%')],
      ];
      return choice(
        ...table.map(([p, op]) =>
          prec.left(
            /** @type {number} */ (p),
            seq(
              field('left', $._expression),
              field('operator', /** @type {RuleOrLiteral} */ (op)),
              field('right', $._expression),
            ),
          ),
        ),
      );
    },

    unary_expression: ($) =>
      prec(PREC.unary, seq(field('operator', choice('!', '-')), field('operand', $._expression))),

    member_expression: ($) =>
      prec(PREC.postfix, seq(field('object', $._expression), '.', field('property', $.identifier))),

    index_expression: ($) =>
      prec(PREC.postfix, seq(field('object', $._expression), '[', field('index', $._expression), ']')),

    call_expression: ($) => seq(field('function', $.identifier), field('arguments', $.arguments)),

    arguments: ($) => seq('(', commaSep($._expression), ')'),

    // `azure { subscription = ... }`, `emulator {}`: a name followed by an object body.
    tagged_object: ($) =>
      prec(-1, seq(field('tag', $.identifier), '{', repeat(choice($.entry, ',')), '}')),

    parenthesized_expression: ($) => seq('(', $._expression, ')'),

    list: ($) => seq('[', commaSep($._expression), ']'),

    object: ($) => seq('{', repeat(choice($.entry, ',')), '}'),

    entry: ($) =>
      seq(
        field('key', choice($.identifier, ...keywordNames($), $.string)),
        '=',
        field('value', $._expression),
      ),


    list_comprehension: ($) =>
      seq(
        '[',
        'for',
        $._for_variables,
        'in',
        field('collection', $._expression),
        ':',
        field('value', $._expression),
        optional($.for_condition),
        ']',
      ),

    object_comprehension: ($) =>
      seq(
        '{',
        'for',
        $._for_variables,
        'in',
        field('collection', $._expression),
        ':',
        field('key', $._expression),
        '=>',
        field('value', $._expression),
        optional($.for_condition),
        '}',
      ),

    _for_variables: ($) =>
      seq(field('variable', $.identifier), optional(seq(',', field('variable', $.identifier)))),

    for_condition: ($) => seq('if', $._expression),

    number: (_) => /\d+(\.\d+)?([eE][+-]?\d+)?/,
    true: (_) => 'true',
    false: (_) => 'false',
    null: (_) => 'null',

    identifier: (_) => /[A-Za-z_][A-Za-z0-9_]*/,

    // ------------------------------------------------------------------ strings

    string: ($) =>
      seq(
        '"',
        repeat(
          choice(
            $.string_content,
            // A `$` that starts neither `${` nor `$${` is text.
            alias($._dollar, $.string_content),
            $.escape_sequence,
            alias($._escaped_interpolation, $.escape_sequence),
            $.interpolation,
          ),
        ),
        '"',
      ),

    string_content: (_) => token.immediate(prec(1, /[^"\\$\n]+/)),

    escape_sequence: (_) =>
      token.immediate(prec(1, seq('\\', choice(/u\{[^}"\n]*\}?/, /[^\n]/)))),

    // `$${` writes a literal `${`. With `$` and `${` these three tokens follow pest's
    // longest-match reading of a run of dollars.
    _escaped_interpolation: (_) => token.immediate(prec(2, '$${')),
    _dollar: (_) => token.immediate(prec(2, '$')),

    interpolation: ($) => seq(token.immediate(prec(2, '${')), $._expression, '}'),

    // `<<EOT` / `<<-EOT` ... `EOT` (the marker alone on its line, indentation allowed).
    heredoc: ($) =>
      seq(
        '<<',
        optional(field('strip', '-')),
        field('marker', $.heredoc_start),
        repeat(
          choice(
            $.heredoc_content,
            alias($._dollar, $.heredoc_content),
            alias($._escaped_interpolation, $.escape_sequence),
            $.interpolation,
          ),
        ),
        field('end', $.heredoc_end),
      ),

    comment: (_) =>
      token(
        choice(seq('//', /[^\n]*/), seq('#', /[^\n]*/), seq('/*', /[^*]*\*+([^/*][^*]*\*+)*/, '/')),
      ),
  },
});
