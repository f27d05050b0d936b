import json, re, polib, sys
D = '/work/scratch/i17de/'
u = json.load(open(D + 'untranslated.json'))
tr = {}
for c in ('c1', 'c2', 'c3'):
    for line in open(D + c + '.tsv', encoding='utf-8'):
        if not line.strip():
            continue
        i, s = line.rstrip('\n').split('\t', 1)
        tr[u[int(i)]] = json.loads(s)
ODOO = '/work/main/.cache/odoo19/root/usr/lib/python3/dist-packages/odoo/addons/'
odoo = {}
for m in ('mail', 'project', 'crm', 'base', 'sms', 'rating', 'contacts', 'sale', 'product', 'account'):
    try:
        for e in polib.pofile(f'{ODOO}{m}/i18n/de.po'):
            if e.msgstr and e.msgid not in odoo:
                odoo[e.msgid] = e.msgstr
    except OSError:
        pass
po = polib.pofile('i18n/de.po')
missing = []
for e in po:
    if e.msgid in tr:
        e.msgstr = tr[e.msgid]
    if not e.msgstr:
        if e.msgid in odoo:
            e.msgstr = odoo[e.msgid]
        else:
            missing.append(e.msgid)
# Odoo's own words for the mail/activity mixin fields
for e in po:
    if e.msgid in odoo and any(o in str(e.occurrences) for o in ()):
        pass
po.save('i18n/de.po')
print('missing', missing)
