" .infra files: the infra infrastructure language.
autocmd BufNewFile,BufRead *.infra setfiletype infra
